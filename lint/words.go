package lint

import (
	"slices"
	"strings"
	"unicode"
)

// words splits an identifier into lower-case words at underscores,
// hyphens, dots, digits-to-letters and case changes: OrderShipped,
// order_shipped and orderShipped all give [order shipped]; HTTPServer
// gives [http server].
func words(name string) []string {
	var out []string
	var cur []rune
	flush := func() {
		if len(cur) > 0 {
			out = append(out, strings.ToLower(string(cur)))
			cur = cur[:0]
		}
	}
	rs := []rune(name)
	for i, r := range rs {
		switch {
		case r == '_' || r == '-' || r == '.' || r == ' ':
			flush()
			continue
		case unicode.IsUpper(r) && len(cur) > 0:
			prev := rs[i-1]
			nextLower := i+1 < len(rs) && unicode.IsLower(rs[i+1])
			if unicode.IsLower(prev) || unicode.IsDigit(prev) || (unicode.IsUpper(prev) && nextLower) {
				flush()
			}
		}
		cur = append(cur, r)
	}
	flush()
	return out
}

// pascal joins words as PascalCase.
func pascal(ws []string) string {
	var b strings.Builder
	for _, w := range ws {
		if w == "" {
			continue
		}
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// irregularPast are past forms that do not end in -ed.
var irregularPast = map[string]bool{
	"sent": true, "paid": true, "built": true, "made": true, "held": true, "sold": true,
	"bought": true, "taken": true, "took": true, "given": true, "gave": true, "written": true,
	"wrote": true, "spent": true, "lost": true, "found": true, "won": true, "begun": true,
	"began": true, "broken": true, "broke": true, "chosen": true, "driven": true, "frozen": true,
	"hidden": true, "left": true, "met": true, "read": true, "ran": true, "said": true,
	"saw": true, "seen": true, "shut": true, "split": true, "stolen": true, "told": true,
	"withdrawn": true, "undone": true, "done": true, "rebuilt": true, "forgotten": true,
	"forgiven": true, "got": true, "gotten": true, "upheld": true, "struck": true, "swept": true,
	"sunk": true, "kept": true, "brought": true, "caught": true, "taught": true, "dealt": true,
	"felt": true, "lent": true, "meant": true, "overdrawn": true, "shown": true, "known": true,
	"grown": true, "thrown": true, "drawn": true, "flown": true, "worn": true, "torn": true,
	"sworn": true, "reset": true, "set": true, "put": true, "cut": true, "quit": true,
	"hit": true, "let": true, "cast": true, "bid": true, "spread": true,
}

// edNouns end in -ed but are not past tenses.
var edNouns = map[string]bool{
	"bed": true, "seed": true, "speed": true, "feed": true, "need": true, "red": true,
	"shed": true, "breed": true, "reed": true, "weed": true, "embed": true, "creed": true,
	"greed": true, "deed": true, "steed": true, "bled": true, "sled": true, "shred": true,
	"hundred": true, "kindred": true, "sacred": true, "naked": true,
	"wicked": true, "ragged": true, "rugged": true, "crooked": true, "wed": true, "sped": true,
}

// isPast reports whether w (lower case) is a past tense or past participle.
func isPast(w string) bool {
	if irregularPast[w] {
		return true
	}
	return len(w) >= 4 && strings.HasSuffix(w, "ed") && !edNouns[w]
}

// verbs are base forms that, in an event name, say it was named for a
// command or an action rather than for a fact that happened. Only verbs
// that are rarely nouns in type names are listed, so that OrderReturn or
// PaymentRequest are not taken for commands.
var verbs = map[string]string{
	"create": "created", "update": "updated", "delete": "deleted", "remove": "removed",
	"add": "added", "ship": "shipped", "place": "placed", "cancel": "cancelled",
	"send": "sent", "submit": "submitted", "pay": "paid", "approve": "approved",
	"reject": "rejected", "register": "registered", "complete": "completed",
	"assign": "assigned", "publish": "published", "receive": "received",
	"refund": "refunded", "confirm": "confirmed", "purchase": "purchased",
	"modify": "modified", "insert": "inserted", "upsert": "upserted", "edit": "edited",
	"activate": "activated", "deactivate": "deactivated", "enable": "enabled",
	"disable": "disabled", "dispatch": "dispatched", "deliver": "delivered",
	"subscribe": "subscribed", "unsubscribe": "unsubscribed", "verify": "verified",
	"accept": "accepted", "decline": "declined", "withdraw": "withdrawn",
	"deposit": "deposited", "authorize": "authorized", "authorise": "authorised",
	"suspend": "suspended", "resume": "resumed", "archive": "archived",
	"restore": "restored", "reserve": "reserved", "sell": "sold", "buy": "bought",
	"process": "processed", "fulfil": "fulfilled", "fulfill": "fulfilled",
	"open": "opened", "close": "closed", "start": "started", "stop": "stopped",
	"change": "changed", "set": "set", "reset": "reset", "sign": "signed",
}

// endVerbs are verbs that, at the end of a name, read as a command even
// though some (Change, Purchase, Deposit) are nouns at its start.
var endVerbs = []string{
	"create", "update", "delete", "remove", "ship", "cancel", "submit", "approve", "reject",
	"register", "assign", "publish", "receive", "confirm", "modify", "insert", "upsert",
	"activate", "deactivate", "enable", "disable", "dispatch", "deliver", "subscribe",
	"unsubscribe", "verify", "accept", "decline", "authorize", "authorise", "suspend",
	"resume", "archive", "restore", "reserve",
}

// presentVerb returns the past form of w when w is a base form, a third
// person form (creates) or a gerund (creating) of a listed verb.
func presentVerb(w string, list func(string) bool) (string, bool) {
	cands := []string{w}
	if s, ok := strings.CutSuffix(w, "s"); ok {
		cands = append(cands, s, strings.TrimSuffix(s, "e"))
	}
	if s, ok := strings.CutSuffix(w, "ing"); ok {
		cands = append(cands, s, s+"e")
		if n := len(s); n >= 2 && s[n-1] == s[n-2] {
			cands = append(cands, s[:n-1])
		}
	}
	for _, c := range cands {
		if past, ok := verbs[c]; ok && list(c) {
			return past, true
		}
	}
	return "", false
}

func anyVerb(string) bool   { return true }
func endVerb(w string) bool { return slices.Contains(endVerbs, w) }
func isIDWord(w string) bool {
	return w == "id" || w == "uuid" || w == "guid" || w == "key" || w == "number"
}
func lastWord(ws []string) string {
	if len(ws) == 0 {
		return ""
	}
	return ws[len(ws)-1]
}

// isIDName reports whether a field name names an identifier: id, order_id,
// orderId, uuid.
func isIDName(name string) bool {
	ws := words(name)
	return len(ws) > 0 && (isIDWord(lastWord(ws)) && (len(ws) > 1 || ws[0] != "number" && ws[0] != "key"))
}

// particles end phrasal verbs: SignedUp, CheckedOut, LoggedIn.
var particles = map[string]bool{"up": true, "in": true, "out": true, "off": true, "down": true, "over": true, "back": true, "on": true}

// endsPast reports whether a name's words end in a past tense, allowing a
// phrasal verb's particle after it (UserSignedUp).
func endsPast(ws []string) bool {
	n := len(ws)
	if n == 0 {
		return false
	}
	if isPast(ws[n-1]) {
		return true
	}
	return n >= 2 && particles[ws[n-1]] && isPast(ws[n-2])
}
