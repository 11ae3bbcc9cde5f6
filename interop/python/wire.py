"""Reading the Confluent wire format back, to check what the serdes wrote."""

import struct


def schema_id(payload: bytes) -> int:
    """The schema id of a payload in Confluent's wire format: the magic byte
    0 followed by a 4-byte big-endian id."""
    assert payload[0] == 0, f"magic byte {payload[0]}, want 0"
    return struct.unpack(">I", payload[1:5])[0]
