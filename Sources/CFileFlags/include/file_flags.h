#ifndef FLOWFORGE_FILE_FLAGS_H
#define FLOWFORGE_FILE_FLAGS_H

/// Linux inode flags (`chattr`), which Swift cannot reach: `ioctl` is variadic.

/// Reads the inode flags of `path` into `flags`. Returns 0, or -errno (e.g. -ENOTTY where the file system
/// has no such flags).
int flowforge_get_file_flags(const char *path, int *flags);

/// Sets `FS_TOPDIR_FL` on the directory `path`: ext2/3/4 then place each new subdirectory in a block group
/// of its own choosing instead of next to its parent. Returns 0, or -errno.
int flowforge_set_topdir_flag(const char *path);

/// The `FS_TOPDIR_FL` bit, for callers that check it.
int flowforge_topdir_flag(void);

#endif
