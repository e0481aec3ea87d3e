import CFileFlags
import Foundation

/// The folder that holds the pipelines' workspaces.
public enum WorkspaceRoot {
    /// Creates `root` if needed and asks ext2/3/4 to spread its subdirectories over block groups
    /// (`chattr +T`), ignoring file systems without such flags.
    ///
    /// Why: a workspace is a thousand files created right after the previous pipeline's thousand were
    /// deleted. ext4 without a journal allocates each new inode by scanning its group's free inodes one by
    /// one and skipping those freed in the last ~30 seconds, so in the group the last workspace used, each
    /// file costs a scan of all of them: 0.6 s instead of 0.07 s for a 1,000-file checkout, measured. Each
    /// workspace in a group of its own never meets the inodes its predecessor freed.
    public static func prepare(_ root: URL) throws {
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        _ = flowforge_set_topdir_flag(root.path)
    }

    /// Whether `prepare` could set the flag on `root` (false where the file system has no such flags).
    public static func spreadsSubdirectories(_ root: URL) -> Bool {
        var flags: Int32 = 0
        return flowforge_get_file_flags(root.path, &flags) == 0 && flags & flowforge_topdir_flag() != 0
    }
}
