#ifndef ROOST_CRC32_H
#define ROOST_CRC32_H

#include <stddef.h>
#include <stdint.h>

/// Non-zero when this CPU can run `roost_crc32_pclmul` (PCLMULQDQ and SSE4.1).
int roost_crc32_pclmul_available(void);

/// CRC-32 (ISO-HDLC: gzip's, zlib's `crc32`, S3's `x-amz-checksum-crc32`) of `length` bytes,
/// continuing `crc` (0 to start), by carry-less multiplication. Only when available.
uint32_t roost_crc32_pclmul(uint32_t crc, const uint8_t *bytes, size_t length);

#endif
