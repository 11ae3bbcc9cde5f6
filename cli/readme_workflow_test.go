package cli_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/charter-registry/charter"
	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/internal/registrytest"
	"github.com/charter-registry/charter/registry"
)

// readmeWorkflow is the GitHub Actions workflow block of the README.
type readmeWorkflow struct {
	Env  map[string]string `yaml:"env"`
	Jobs map[string]struct {
		If    string            `yaml:"if"`
		Env   map[string]string `yaml:"env"`
		Steps []struct {
			Name string            `yaml:"name"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			If   string            `yaml:"if"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readmeWorkflowBlock(t *testing.T) readmeWorkflow {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "A GitHub Actions workflow, ready to copy")
	if !ok {
		t.Fatal("the README has no GitHub Actions workflow")
	}
	_, block, ok := strings.Cut(sec, "```yaml\n")
	if !ok {
		t.Fatal("no yaml block after the README's workflow paragraph")
	}
	block, _, _ = strings.Cut(block, "```")
	var w readmeWorkflow
	if err := yaml.Unmarshal([]byte(block), &w); err != nil {
		t.Fatalf("the README's workflow is not YAML: %v\n%s", err, block)
	}
	return w
}

// The README's install line. It is the one line the test does not run as
// written: it would fetch charter from the network, so the test installs
// the charter it built from this tree instead, where go install would
// put it (a directory on PATH).
const readmeInstall = "go install github.com/charter-registry/charter/cmd/charter@latest"

// runner plays GitHub Actions for the README's workflow: it runs a job's
// `run:` lines with bash as the runner does (-eo pipefail), in the
// repository's working tree, with the runner's GITHUB_* variables and the
// workflow's env, whose ${{ vars.X }} and ${{ secrets.X }} are the
// repository's settings. No other variable reaches the commands.
type runner struct {
	t        *testing.T
	wf       readmeWorkflow
	bin      string // charter built from this tree
	repo     *gitRepo
	settings map[string]string // vars and secrets by name
	home     string
}

// jobRun is what one job printed and how it ended.
type jobRun struct {
	code    int // exit status of the step that failed, 0 when none did
	stdout  string
	output  string // stdout and stderr of every step
	summary string // what the job wrote to $GITHUB_STEP_SUMMARY
}

var expr = regexp.MustCompile(`^\$\{\{\s*(vars|secrets)\.([A-Z_]+)\s*\}\}$`)

func (r *runner) resolve(v string) string {
	r.t.Helper()
	m := expr.FindStringSubmatch(v)
	if m == nil {
		r.t.Fatalf("the workflow's env uses %q; this test knows only ${{ vars.X }} and ${{ secrets.X }}", v)
	}
	val, ok := r.settings[m[2]]
	if !ok {
		r.t.Fatalf("the workflow wants %s.%s, which the test's repository settings lack", m[1], m[2])
	}
	return val
}

// run runs job for an event. event is the payload GitHub would write to
// GITHUB_EVENT_PATH; github holds the other GITHUB_* values that differ
// between events.
func (r *runner) run(job, eventName string, event map[string]any, github map[string]string) jobRun {
	r.t.Helper()
	j, ok := r.wf.Jobs[job]
	if !ok {
		r.t.Fatalf("the README's workflow has no job %s", job)
	}
	if want := "github.event_name == '" + eventName + "'"; j.If != want {
		r.t.Fatalf("job %s runs if %q; this test runs it for %q", job, j.If, want)
	}
	dir := r.t.TempDir()
	eventPath := filepath.Join(dir, "event.json")
	b, err := json.Marshal(event)
	if err != nil {
		r.t.Fatal(err)
	}
	if err := os.WriteFile(eventPath, b, 0o644); err != nil {
		r.t.Fatal(err)
	}
	summary := filepath.Join(dir, "summary.md")
	binDir := filepath.Join(dir, "go", "bin") // empty until the install step
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		r.t.Fatal(err)
	}
	sha := strings.TrimSpace(r.repo.git("rev-parse", "HEAD"))
	env := map[string]string{
		"PATH": binDir + string(os.PathListSeparator) + os.Getenv("PATH"),
		"HOME": r.home, "CI": "true", "GITHUB_ACTIONS": "true",
		"GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": os.DevNull,
		"GITHUB_EVENT_NAME": eventName, "GITHUB_EVENT_PATH": eventPath, "GITHUB_SHA": sha,
		"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/schemas", "GITHUB_RUN_ID": "4242",
		"GITHUB_WORKSPACE": r.repo.dir, "GITHUB_STEP_SUMMARY": summary, "RUNNER_TEMP": dir,
	}
	for k, v := range github {
		env[k] = v
	}
	for _, scope := range []map[string]string{r.wf.Env, j.Env} {
		for k, v := range scope {
			env[k] = r.resolve(v)
		}
	}
	var out jobRun
	var stdout, all strings.Builder
	for i, st := range j.Steps {
		switch {
		case st.Uses != "":
			// actions/checkout: the test has checked out the commit in
			// r.repo; actions/setup-go: Go is not needed by a substituted
			// install.
			if !strings.HasPrefix(st.Uses, "actions/checkout@") && !strings.HasPrefix(st.Uses, "actions/setup-go@") {
				r.t.Fatalf("step %d uses %s, which this test cannot play", i, st.Uses)
			}
			continue
		case st.Run == "":
			r.t.Fatalf("step %d has neither uses nor run", i)
		}
		switch st.If {
		case "":
			if out.code != 0 {
				continue // success() is false after a failed step
			}
		case "${{ !cancelled() }}":
		default:
			r.t.Fatalf("step %d runs if %q, which this test cannot evaluate", i, st.If)
		}
		script := st.Run
		if strings.TrimSpace(script) == readmeInstall {
			// The one substitution: install the locally built charter
			// instead of fetching it (see readmeInstall).
			script = fmt.Sprintf("install -m 0755 %q %q", r.bin, filepath.Join(binDir, "charter"))
		}
		stepEnv := make([]string, 0, len(env)+len(st.Env))
		for k, v := range env {
			stepEnv = append(stepEnv, k+"="+v)
		}
		for k, v := range st.Env {
			stepEnv = append(stepEnv, k+"="+r.resolve(v))
		}
		cmd := exec.Command("bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script)
		cmd.Dir = r.repo.dir
		cmd.Env = stepEnv
		var so, se strings.Builder
		cmd.Stdout, cmd.Stderr = io.MultiWriter(&so, &all), io.MultiWriter(&se, &all)
		err := cmd.Run()
		stdout.WriteString(so.String())
		if err != nil {
			ee, ok := err.(*exec.ExitError)
			if !ok {
				r.t.Fatalf("step %d (%s): %v", i, script, err)
			}
			if out.code == 0 {
				out.code = ee.ExitCode()
			}
		}
	}
	out.stdout, out.output = stdout.String(), all.String()
	if b, err := os.ReadFile(summary); err == nil {
		out.summary = string(b)
	}
	return out
}

// TestReadmeWorkflow runs the README's GitHub Actions workflow as written
// against a live charter that requires credentials, with nothing but the
// workflow's environment: the first push registers, a compatible pull
// request passes, its merge registers with the pull request recorded in
// the audit trail, and a breaking pull request fails with 100 and an
// annotation on each broken line.
func TestReadmeWorkflow(t *testing.T) {
	t.Parallel() // its own charter process on its own port and data
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("bash is not installed")
	}
	wf := readmeWorkflowBlock(t)
	for k, v := range wf.Env {
		if !strings.HasPrefix(k, "CHARTER_") || v == "" {
			t.Errorf("the workflow's env sets %s=%q", k, v)
		}
	}
	// Only the environment says where the registry is and who we are.
	for name, j := range wf.Jobs {
		for _, st := range j.Steps {
			for _, flag := range []string{"--registry", "--user", "--password", "--token"} {
				if strings.Contains(st.Run, flag) {
					t.Errorf("job %s: %q passes %s; the workflow must rely on the environment", name, st.Run, flag)
				}
			}
		}
	}
	hash, err := api.HashPassword("ci-secret")
	if err != nil {
		t.Fatal(err)
	}
	creds, err := api.ParseCredentials(fmt.Appendf(nil, "principals:\n  - name: ci\n    password: %q\n", hash))
	if err != nil {
		t.Fatal(err)
	}
	reg := registrytest.Start(t, registrytest.WithAccess(registry.AccessConfig{Enforce: true}),
		registrytest.WithAPIConfig(api.Config{OpenAPI: charter.OpenAPI(), MaxBodyBytes: 4 << 20, Auth: api.AuthConfig{Required: true, Credentials: creds}}))
	authed := func(method, path, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, reg.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth("ci", "ci-secret")
		req.Header.Set("Content-Type", "application/vnd.schemaregistry.v1+json")
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}

	repo := newGitRepo(t)
	repo.commit("1", "Initial schemas")
	r := &runner{t: t, wf: wf, bin: registrytest.BuildBinary(t), repo: repo, home: t.TempDir(), settings: map[string]string{
		"CHARTER_REGISTRY_URL": reg.URL, "CHARTER_REGISTRY_USER": "ci", "CHARTER_REGISTRY_PASSWORD": "ci-secret",
	}}
	push := func(message string) jobRun {
		return r.run("register", "push", map[string]any{"ref": "refs/heads/main", "head_commit": map[string]any{"message": message}},
			map[string]string{"GITHUB_REF": "refs/heads/main", "GITHUB_REF_NAME": "main"})
	}
	pullRequest := func(n int, branch, title string) jobRun {
		url := fmt.Sprintf("https://github.com/acme/schemas/pull/%d", n)
		return r.run("check", "pull_request", map[string]any{"number": n, "pull_request": map[string]any{"number": n, "html_url": url, "title": title}},
			map[string]string{"GITHUB_REF": fmt.Sprintf("refs/pull/%d/merge", n), "GITHUB_BASE_REF": "main", "GITHUB_HEAD_REF": branch})
	}

	// The first push to main registers every schema.
	if j := push("Initial schemas"); j.code != 0 || !strings.Contains(j.stdout, "orders-value") {
		t.Fatalf("register job on the first push: exit %d\n%s", j.code, j.output)
	}
	// The registry's level for orders-value is what charter.yaml says
	// offline, FULL; the others keep the default, BACKWARD.
	if code, body := authed("PUT", "/config/orders-value", `{"compatibility":"FULL"}`); code != 200 {
		t.Fatalf("set FULL: %d %s", code, body)
	}

	// A compatible pull request passes.
	repo.git("checkout", "-q", "-b", "compatible")
	repo.commit("2", "a compatible change to each")
	j := pullRequest(41, "compatible", "Optional fields for everyone")
	if j.code != 0 || strings.Contains(j.stdout, "::error") {
		t.Fatalf("check job on the compatible pull request: exit %d\n%s", j.code, j.output)
	}
	if !strings.Contains(j.output, "checked against "+reg.URL+", no problems") || !strings.Contains(j.summary, "All 6 schema files pass.") {
		t.Errorf("compatible pull request: output\n%s\nsummary\n%s", j.output, j.summary)
	}

	// Its merge registers the new versions, recording the pull request.
	repo.git("checkout", "-q", "main")
	repo.git("merge", "-q", "--no-ff", "compatible", "-m", "Merge pull request #41 from acme/compatible\n\nOptional fields for everyone")
	sha := strings.TrimSpace(repo.git("rev-parse", "HEAD"))
	if j := push("Merge pull request #41 from acme/compatible\n\nOptional fields for everyone"); j.code != 0 {
		t.Fatalf("register job on the merge: exit %d\n%s", j.code, j.output)
	}
	code, body := authed("GET", "/v1/audit?subject=orders-value&operation=schema.registered", "")
	var audit []struct {
		Principal, Reason, Link string
		Version                 int
	}
	if code != 200 || json.Unmarshal([]byte(body), &audit) != nil || len(audit) != 2 {
		t.Fatalf("audit: %d %s", code, body)
	}
	v2 := audit[0]
	if v2.Version != 2 || v2.Principal != "ci" || v2.Link != "https://github.com/acme/schemas/pull/41" ||
		!strings.Contains(v2.Reason, "pull request #41") || !strings.Contains(v2.Reason, "commit "+sha) ||
		!strings.Contains(v2.Reason, "run https://github.com/acme/schemas/actions/runs/4242") {
		t.Errorf("the merge's audit entry: %+v", v2)
	}
	if v1 := audit[1]; v1.Link != "https://github.com/acme/schemas/actions/runs/4242" || strings.Contains(v1.Reason, "pull request") {
		t.Errorf("the first push had no pull request: %+v", v1)
	}

	// A breaking pull request fails with an annotation on each broken line.
	repo.git("checkout", "-q", "-b", "breaking")
	repo.commit("3", "a breaking change to each")
	j = pullRequest(42, "breaking", "Tighten everything")
	if j.code != 100 {
		t.Fatalf("check job on the breaking pull request: want exit 100, got %d\n%s", j.code, j.output)
	}
	// stdout is the check step's: the summary step writes to its file.
	assertBreaking(t, j.stdout)
	if !strings.Contains(j.summary, "**breaking**") || !strings.Contains(j.summary, "| File | Subject | Level | Verdict | Changes |") {
		t.Errorf("breaking pull request's summary:\n%s", j.summary)
	}
}
