'use strict';
// Protobuf message descriptors built at run time from hand-written
// FileDescriptorProtos. An application would run protoc (or buf) to generate
// them; building the same descriptors in code needs no compiler.
// money.proto is imported by order.proto, so serializing an Order makes the
// serializer register money.proto as a schema reference.

const { create, createFileRegistry, createMutableRegistry } = require('@bufbuild/protobuf');
const {
  FileDescriptorProtoSchema, FileDescriptorSetSchema, FieldDescriptorProto_Type: Type, FieldDescriptorProto_Label: Label,
  file_google_protobuf_timestamp: timestampFile,
} = require('@bufbuild/protobuf/wkt');

function field(name, number, type, typeName, repeated = false) {
  return {
    name, number, type, typeName, jsonName: name,
    label: repeated ? Label.REPEATED : Label.OPTIONAL,
  };
}

function moneyFile(name, pkg) {
  return create(FileDescriptorProtoSchema, {
    name, package: pkg, syntax: 'proto3',
    messageType: [{ name: 'Money', field: [field('currency', 1, Type.STRING), field('units', 2, Type.INT64)] }],
  });
}

function orderFile(name, pkg, moneyName) {
  return create(FileDescriptorProtoSchema, {
    name, package: pkg, syntax: 'proto3', dependency: [moneyName],
    messageType: [{
      name: 'Order',
      field: [
        field('id', 1, Type.STRING),
        field('total', 2, Type.MESSAGE, `.${pkg}.Money`),
        field('tags', 3, Type.STRING, undefined, true),
      ],
    }],
  });
}

// messages builds a registry of the files and returns it with the Money and
// Order descriptors of package pkg.
function messages(pkg, moneyName, orderName) {
  const files = createFileRegistry(create(FileDescriptorSetSchema, {
    file: [moneyFile(moneyName, pkg), orderFile(orderName, pkg, moneyName)],
  }));
  const Money = files.getMessage(`${pkg}.Money`);
  const Order = files.getMessage(`${pkg}.Order`);
  return { registry: createMutableRegistry(Money, Order), Money, Order };
}

// eventMessages builds a file importing google/protobuf/timestamp.proto, a
// well-known type the serializer does not register and charter resolves by
// itself, and returns its Event descriptor with a registry.
function eventMessages(pkg, name) {
  const event = create(FileDescriptorProtoSchema, {
    name, package: pkg, syntax: 'proto3', dependency: ['google/protobuf/timestamp.proto'],
    messageType: [{
      name: 'Event',
      field: [field('id', 1, Type.STRING), field('at', 2, Type.MESSAGE, '.google.protobuf.Timestamp')],
    }],
  });
  const files = createFileRegistry(create(FileDescriptorSetSchema, { file: [timestampFile.proto, event] }));
  const Event = files.getMessage(`${pkg}.Event`);
  return { registry: createMutableRegistry(Event), Event };
}

module.exports = { messages, eventMessages };
