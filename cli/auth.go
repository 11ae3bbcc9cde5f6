package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/charter-registry/charter/api"
	"github.com/charter-registry/charter/registry"
)

// authSettings turns the serve flags into the registry's access policy and
// the API's authentication config.
func authSettings(f serveFlags) (registry.AccessConfig, api.AuthConfig, error) {
	unowned, err := registry.ParseUnownedPolicy(f.unowned)
	if err != nil {
		return registry.AccessConfig{}, api.AuthConfig{}, fmt.Errorf("--unowned-subjects: %w", err)
	}
	switch strings.ToLower(f.auth) {
	case "", "off":
		if f.authConfig != "" || f.anonymousRead {
			return registry.AccessConfig{}, api.AuthConfig{}, errors.New("--auth-config and --anonymous-read need --auth=required")
		}
		return registry.AccessConfig{Unowned: unowned}, api.AuthConfig{}, nil
	case "required":
	default:
		return registry.AccessConfig{}, api.AuthConfig{}, fmt.Errorf("--auth %q: use off or required", f.auth)
	}
	if f.authConfig == "" {
		return registry.AccessConfig{}, api.AuthConfig{}, errors.New("--auth=required needs --auth-config: a YAML file of principals with hashed keys (see charter auth hash-key)")
	}
	if f.authMaxFailures < 1 || f.authFailureWindow <= 0 {
		return registry.AccessConfig{}, api.AuthConfig{}, fmt.Errorf("--auth-max-failures %d and --auth-failure-window %s: both must be positive", f.authMaxFailures, f.authFailureWindow)
	}
	creds, err := api.LoadCredentials(f.authConfig)
	if err != nil {
		return registry.AccessConfig{}, api.AuthConfig{}, err
	}
	return registry.AccessConfig{Enforce: true, Unowned: unowned},
		api.AuthConfig{Required: true, AnonymousRead: f.anonymousRead, Credentials: creds, MaxFailures: f.authMaxFailures, FailureWindow: f.authFailureWindow}, nil
}

// reloadOnHangup re-reads the credentials file on every SIGHUP, so keys
// can be rotated without a restart. A file that does not load is logged
// and the credentials in use are kept.
func reloadOnHangup(srv *api.Server, path string, logger *slog.Logger) (stop func()) {
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, syscall.SIGHUP)
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		for {
			select {
			case <-done:
				return
			case <-ch:
				creds, err := api.LoadCredentials(path)
				if err != nil {
					logger.Error("credentials not reloaded; keeping the ones in use", slog.Any("error", err))
					continue
				}
				srv.SetCredentials(creds)
				logger.Info("credentials reloaded", slog.String("auth_config", path), slog.Int("principals", creds.Principals()))
			}
		}
	}()
	return func() {
		signal.Stop(ch)
		close(done)
		<-finished
	}
}

// newAuthCommand returns `charter auth`, which makes the hashed secrets a
// credentials file holds.
func newAuthCommand() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "auth",
		Short: "Make API keys and password hashes for the --auth-config file",
		Long: `charter serve --auth=required reads principals from a YAML file that holds
only hashes of their secrets:

  principals:
    - name: payments-ci
      teams: [payments]
      keys: [sha256:...]          # from charter auth hash-key
    - name: alice
      admin: true
      password: pbkdf2-sha256:... # from charter auth hash-password

Give the key itself (or the password) to the client; it is stored nowhere.`,
	}
	cmd.AddCommand(newHashKeyCommand(), newHashPasswordCommand())
	return cmd
}

func newHashKeyCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "hash-key [key]",
		Short: "Make a new API key and print it with its hash, or hash the key given",
		Long: `With no argument, make a new random API key and print the key (give it to
the client) and its hash (put it under keys: in the credentials file).
With "-", hash the key read from standard input; with a key, hash that key.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			out := cmd.OutOrStdout()
			if len(args) == 0 {
				key, hash := api.NewAPIKey()
				_, err := fmt.Fprintf(out, "key:  %s\nhash: %s\n", key, hash)
				return err
			}
			key := args[0]
			if key == "-" {
				var err error
				if key, err = readSecret(cmd.InOrStdin()); err != nil {
					return err
				}
			}
			_, err := fmt.Fprintln(out, api.HashAPIKey(key))
			return err
		},
	}
}

func newHashPasswordCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "hash-password",
		Short: "Hash a password read from standard input",
		Long: `Read a password from the first line of standard input and print its
PBKDF2-SHA256 hash, for password: in the credentials file. Clients send
the password with HTTP basic auth.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			pw, err := readSecret(cmd.InOrStdin())
			if err != nil {
				return err
			}
			h, err := api.HashPassword(pw)
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(cmd.OutOrStdout(), h)
			return err
		},
	}
}

// readSecret reads the first line of r, without its line ending.
func readSecret(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no secret on standard input")
	}
	return line, nil
}
