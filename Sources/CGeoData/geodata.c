// The built-in IP database, compiled into the binary so that mailatlas finds it from any directory after
// installation. Rebuild ipdb.mageo with scripts/build-geo-db.sh; its licence is LICENSE-ipdb.txt beside it.
#include "CGeoData.h"

#pragma clang diagnostic ignored "-Wc23-extensions"

#if __has_embed("ipdb.mageo")
static const unsigned char geo_data[] __attribute__((aligned(16))) = {
#embed "ipdb.mageo"
};
static const size_t geo_size = sizeof(geo_data);
#else
static const unsigned char geo_data[1] = {0};
static const size_t geo_size = 0;
#endif

const unsigned char *mailatlas_geo_data(void) { return geo_data; }
size_t mailatlas_geo_size(void) { return geo_size; }
