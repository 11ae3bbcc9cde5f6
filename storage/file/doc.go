// Package file is the embedded storage.Log: zero setup, one process, durable.
//
// The log lives in one directory: a data file of CRC-checked frames and a
// lock file that keeps a second process out. Append writes a batch as one
// frame and fsyncs it before it returns; appenders that arrive while a
// write is in flight share the next frame and fsync (group commit). Open
// truncates a torn tail left by a crash and refuses, with a CorruptionError,
// a damaged frame that has intact frames after it. Compact rewrites the live
// records to a new file and renames it into place; offsets never change.
//
// The registry replays the log through Tail at startup and keeps tailing it;
// see format.go for the byte layout.
package file
