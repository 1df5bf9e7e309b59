/* Hand-written helpers of CProtos; see include/cprotos_support.h. */
#include <protobuf-c/protobuf-c.h>

#include "cprotos_support.h"

const char *cprotos_empty_string(void) {
    return protobuf_c_empty_string;
}
