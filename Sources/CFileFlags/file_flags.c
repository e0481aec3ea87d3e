#include "file_flags.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <unistd.h>

int flowforge_get_file_flags(const char *path, int *flags) {
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return -errno;
    // The kernel reads and writes an int here whatever the macro's declared type says (as chattr does).
    int result = ioctl(fd, FS_IOC_GETFLAGS, flags) == 0 ? 0 : -errno;
    close(fd);
    return result;
}

int flowforge_set_topdir_flag(const char *path) {
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return -errno;
    int flags = 0;
    int result = 0;
    if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0) {
        result = -errno;
    } else if (!(flags & FS_TOPDIR_FL)) {
        flags |= FS_TOPDIR_FL;
        if (ioctl(fd, FS_IOC_SETFLAGS, &flags) != 0) result = -errno;
    }
    close(fd);
    return result;
}

int flowforge_topdir_flag(void) {
    return FS_TOPDIR_FL;
}
