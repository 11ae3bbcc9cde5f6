"""Protobuf message classes built at run time from hand-written descriptors.

An application would run protoc; these tests build the same
FileDescriptorProtos in code so that no generated file or compiler is
needed. money.proto is imported by order.proto, so serializing an Order
makes the serializer register money.proto as a schema reference.
"""

from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

F = descriptor_pb2.FieldDescriptorProto


def _field(name, number, ftype, type_name=None, repeated=False):
    f = F(name=name, number=number, type=ftype,
          label=F.LABEL_REPEATED if repeated else F.LABEL_OPTIONAL)
    if type_name:
        f.type_name = type_name
    return f


def money_file(name, package):
    fd = descriptor_pb2.FileDescriptorProto(name=name, package=package, syntax="proto3")
    fd.message_type.add(name="Money", field=[
        _field("currency", 1, F.TYPE_STRING),
        _field("units", 2, F.TYPE_INT64),
    ])
    return fd


def order_file(name, package, money_name):
    fd = descriptor_pb2.FileDescriptorProto(name=name, package=package, syntax="proto3",
                                            dependency=[money_name])
    fd.message_type.add(name="Order", field=[
        _field("id", 1, F.TYPE_STRING),
        _field("total", 2, F.TYPE_MESSAGE, type_name=f".{package}.Money"),
        _field("tags", 3, F.TYPE_STRING, repeated=True),
    ])
    return fd


def classes(*files):
    """Adds files to a fresh pool and returns {message full name: class}."""
    pool = descriptor_pool.DescriptorPool()
    out = {}
    for fd in files:
        pool.Add(fd)
    for fd in files:
        for m in fd.message_type:
            full = f"{fd.package}.{m.name}"
            out[full] = message_factory.GetMessageClass(pool.FindMessageTypeByName(full))
    return out


def event_file(name, package):
    """A file importing google/protobuf/timestamp.proto, a well-known type
    that the serializer does not register (skip.known.types) and charter
    resolves by itself."""
    from google.protobuf import timestamp_pb2

    fd = descriptor_pb2.FileDescriptorProto(name=name, package=package, syntax="proto3",
                                            dependency=["google/protobuf/timestamp.proto"])
    fd.message_type.add(name="Event", field=[
        _field("id", 1, F.TYPE_STRING),
        _field("at", 2, F.TYPE_MESSAGE, type_name=".google.protobuf.Timestamp"),
    ])
    ts = descriptor_pb2.FileDescriptorProto.FromString(timestamp_pb2.DESCRIPTOR.serialized_pb)
    return ts, fd
