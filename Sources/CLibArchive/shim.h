#include <archive.h>
#include <archive_entry.h>

// The file type constants are casts in libarchive's header, which Swift does not import.
static const unsigned int flowforge_ae_ifmt = AE_IFMT;
static const unsigned int flowforge_ae_ifreg = AE_IFREG;
static const unsigned int flowforge_ae_ifdir = AE_IFDIR;
static const unsigned int flowforge_ae_iflnk = AE_IFLNK;
