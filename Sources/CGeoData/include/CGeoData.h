#ifndef MAILATLAS_CGEODATA_H
#define MAILATLAS_CGEODATA_H

#include <stddef.h>

/// The built-in IP database (ipdb.mageo beside this target's source, embedded at compile time with C23 #embed).
/// Static storage: valid for the life of the process. Length 0 when the build had no database file.
const unsigned char *mailatlas_geo_data(void);
size_t mailatlas_geo_size(void);

#endif
