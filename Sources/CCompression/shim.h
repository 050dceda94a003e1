#include <bzlib.h>
#include <lzma.h>
#include <zstd.h>
#include <lz4.h>
