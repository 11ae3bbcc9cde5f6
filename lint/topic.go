package lint

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/charter-registry/charter/compat"
)

// TopicOf is the topic a subject names under Confluent's
// TopicNameStrategy: the subject without -value or -key.
func TopicOf(subject string) string {
	if t, ok := strings.CutSuffix(subject, "-value"); ok {
		return t
	}
	return strings.TrimSuffix(subject, "-key")
}

var versionSuffix = regexp.MustCompile(`^(.*?)([._-])v(\d+)$`)

// topicVersion splits orders.v2 into orders, ".", 2; an unversioned topic
// is version 1.
func topicVersion(topic string) (base, sep string, n int) {
	if m := versionSuffix.FindStringSubmatch(topic); m != nil {
		n, _ := strconv.Atoi(m[3])
		return m[1], m[2], n
	}
	return topic, ".", 1
}

func checkTopicVersioned(c *pass) {
	in := c.in
	if in.Previous == nil || in.Format == nil || (in.Subject == "" && in.Topic == "") {
		return
	}
	var breaking []compat.Change
	for _, ch := range in.Format.Diff(in.Previous, in.Schema, compat.Options{}) {
		if !ch.Compatible {
			breaking = append(breaking, ch)
		}
	}
	if len(breaking) == 0 {
		return
	}
	topic := cmpOr(in.Topic, TopicOf(in.Subject))
	prevTopic := cmpOr(in.PreviousTopic, TopicOf(cmpOr(in.PreviousSubject, in.Subject)))
	base, sep, n := topicVersion(prevTopic)
	successor := fmt.Sprintf("%s%sv%d", base, sep, n+1)
	p := c.rootPos()
	if tops := c.tops(); len(tops) > 0 {
		p = tops[0].Pos
	}
	what := fmt.Sprintf("%s (%s)", breaking[0].Message, breaking[0].Rule)
	if topic == prevTopic {
		c.report(p, c.rootDoc(), "this change breaks readers of topic %s: %s. Publish it to a successor topic named %s, and keep %s until its consumers have moved", topic, what, successor, topic)
		return
	}
	if b, _, m := topicVersion(topic); b != base || m <= n {
		c.report(p, c.rootDoc(), "topic %s breaks readers of %s (%s), but its name does not say it succeeds it: name it %s", topic, prevTopic, what, successor)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
