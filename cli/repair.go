package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/charter-registry/charter/registry"
	"github.com/charter-registry/charter/storage/file"
)

type repairFlags struct {
	dataDir string
}

func newRepairCommand() *cobra.Command {
	f := repairFlags{}
	cmd := &cobra.Command{
		Use:   "repair",
		Short: "Cut damage out of the embedded file log, report what was dropped, keep the id floor",
		Long: `Repair makes a file log that charter serve refuses to open usable again:
a records.log shorter than its checkpoint (truncated, or restored from an old
copy), damaged before the checkpoint, or missing. It keeps every intact frame,
cuts out the rest and prints exactly what was dropped: the offsets, and the
keytype, subject, version and id of every record it could still decode.

So that no dropped schema's id is ever given to another schema, it appends an
ID_FLOOR record holding the highest id the checkpoint or any record ever
carried, at an offset above every offset the log ever had: one for the default
context and one for every other context the log's records name, since ids are
counted per context.

Run it with the server stopped (it takes the directory's lock), and only once
restoring records.log from a backup is not an option: the dropped records are
gone for good. A log that needs no repair is left untouched.`,
		Example: `  charter repair --data-dir /var/lib/charter`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			if ctx == nil {
				ctx = context.Background()
			}
			floors := registry.NewIDFloors()
			opts := append(fileLogOpts(), file.WithIDFunc(floors.RecordID))
			rep, err := file.RepairFloors(ctx, f.dataDir, floors.Records, opts...)
			if err != nil {
				return err
			}
			printRepair(cmd.OutOrStdout(), rep)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&f.dataDir, "data-dir", "./charter-data", "directory of the embedded file log")
	annotateEnv(fs)
	return cmd
}

// fileLogOpts are the options serve and repair open the file log with.
func fileLogOpts() []file.Opt {
	return []file.Opt{file.WithKeyFunc(registry.LogicalKey), file.WithIDFunc(registry.RecordID)}
}

// repairHint adds to an error that Open returned for a damaged or short
// log what an operator can do about it.
func repairHint(err error, dataDir string) error {
	var le *file.LostRecordsError
	var ce *file.CorruptionError
	if errors.As(err, &le) || errors.As(err, &ce) {
		return fmt.Errorf("%w\ncharter will not start on a log that lost acknowledged records or is damaged: serving it could give their ids to other schemas. Restore the data directory from a backup, or accept the loss with: charter repair --data-dir %s", err, dataDir)
	}
	return err
}

func printRepair(w io.Writer, rep *file.RepairReport) {
	fmt.Fprintf(w, "log: %s\n", rep.Path)
	switch {
	case rep.CheckpointErr != nil:
		fmt.Fprintf(w, "checkpoint: unreadable, ignored (%v)\n", rep.CheckpointErr)
	case rep.HadCheckpoint:
		fmt.Fprintf(w, "checkpoint: records up to offset %d acknowledged, highest id %d\n", rep.Checkpoint.End-1, rep.Checkpoint.MaxID)
	default:
		fmt.Fprintln(w, "checkpoint: none")
	}
	if len(rep.Dropped) == 0 {
		fmt.Fprintf(w, "nothing to repair: %d records, the next offset is %d, highest id %d\n", rep.Kept, rep.End, rep.MaxID)
		if rep.RewroteCheckpoint {
			fmt.Fprintln(w, "wrote a new checkpoint for the log as it is")
		}
		return
	}
	lost := int64(0)
	for _, d := range rep.Dropped {
		lost += d.ToOffset - d.FromOffset
		where := fmt.Sprintf("bytes %d to %d", d.FromByte, d.ToByte)
		if d.FromByte == d.ToByte {
			where = "bytes no longer in the file"
		}
		fmt.Fprintf(w, "dropped %s, %s: %s\n", offsetRange(d.FromOffset, d.ToOffset), where, d.Reason)
		next := d.FromOffset
		for _, r := range d.Records {
			if r.Offset > next {
				fmt.Fprintf(w, "  %s: content lost\n", offsetRange(next, r.Offset))
			}
			fmt.Fprintf(w, "  offset %d: %s (decoded from damaged bytes)\n", r.Offset, registry.DescribeRecord(r.Key, r.Value))
			next = r.Offset + 1
		}
		if next < d.ToOffset {
			fmt.Fprintf(w, "  %s: content lost\n", offsetRange(next, d.ToOffset))
		}
	}
	fmt.Fprintf(w, "kept %d records; dropped %d offsets\n", rep.Kept, lost)
	for i, fl := range rep.Floors {
		fmt.Fprintf(w, "kept the id floor: %s at offset %d; new schemas get ids above %d\n",
			registry.DescribeRecord(fl.Key, fl.Value), rep.FloorOffset+int64(i), rep.MaxID)
	}
	fmt.Fprintf(w, "the log now ends at offset %d\n", rep.End)
}

func offsetRange(from, to int64) string {
	switch {
	case to-from == 1:
		return fmt.Sprintf("offset %d", from)
	case to <= from:
		return "no offsets"
	}
	return fmt.Sprintf("offsets %d to %d (%d records)", from, to-1, to-from)
}
