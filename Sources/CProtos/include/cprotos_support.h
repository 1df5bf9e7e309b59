/* Hand-written helpers of CProtos for the Swift module Protos. */
#ifndef CPROTOS_SUPPORT_H
#define CPROTOS_SUPPORT_H

#include <stddef.h>

/* protobuf-c's shared empty string: proto3 string fields must point to it (or to
 * any other "") when empty, never be NULL. Swift cannot import the array itself. */
const char *cprotos_empty_string(void);

/* The serialized FileDescriptorProto of each generated .proto, in the order of
 * ProtoFileRegistry.files (cprotos_descriptors.c, generated). */
size_t cprotos_file_descriptor_count(void);
const unsigned char *cprotos_file_descriptor(size_t index, size_t *length);

#endif
