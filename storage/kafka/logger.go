package kafka

import (
	"context"
	"log/slog"

	"github.com/twmb/franz-go/pkg/kgo"
)

// kgoLogger forwards franz-go's log lines to slog. franz-go logs every
// connection and request at its info level, so those lines go to slog's
// debug level; franz-go's warnings and errors keep their level.
type kgoLogger struct {
	l *slog.Logger
}

// Level tells franz-go how much to produce: only what slog would keep.
func (k kgoLogger) Level() kgo.LogLevel {
	ctx := context.Background()
	switch {
	case k.l.Enabled(ctx, slog.LevelDebug):
		return kgo.LogLevelInfo
	case k.l.Enabled(ctx, slog.LevelWarn):
		return kgo.LogLevelWarn
	case k.l.Enabled(ctx, slog.LevelError):
		return kgo.LogLevelError
	default:
		return kgo.LogLevelNone
	}
}

// Log writes one franz-go line; keyvals alternate keys and values, which is
// the shape slog's args take.
func (k kgoLogger) Log(level kgo.LogLevel, msg string, keyvals ...any) {
	var sl slog.Level
	switch level {
	case kgo.LogLevelError:
		sl = slog.LevelError
	case kgo.LogLevelWarn:
		sl = slog.LevelWarn
	default:
		sl = slog.LevelDebug
	}
	k.l.Log(context.Background(), sl, "kafka client: "+msg, keyvals...)
}
