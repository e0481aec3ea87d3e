import Foundation

/// The image FlowForge builds itself for the pipeline pod, so a pod never depends on a registry or on an
/// image the operator has to provide.
///
/// The pod only has to exist and hold the network namespace. Its image is one file, `/pause`: a static
/// ELF executable of a few dozen bytes, written out below for each CPU the daemon may run, that blocks in a
/// system call forever (like Kubernetes' pause container). It is imported once per daemon through the
/// Engine API (`POST /images/create?fromSrc=-`) under a tag derived from its contents, so a changed program
/// gets a new tag and an existing one is never rebuilt.
enum DockerPodImage {
    static let repository = "flowforge/pod"
    /// What the pod container runs.
    static let command = ["/pause"]

    /// The program for a daemon architecture as Docker names it (`/version`'s `Arch`), or nil when FlowForge
    /// carries none for it.
    static func program(forArchitecture architecture: String) -> [UInt8]? {
        switch architecture {
        case "amd64", "x86_64": elf(machine: 0x3E, code: x86_64Pause)
        case "arm64", "aarch64": elf(machine: 0xB7, code: arm64Pause)
        default: nil
        }
    }

    /// `flowforge/pod:<architecture>-<FNV-1a of the program, 16 hex digits>`: a content tag telling versions
    /// of the program apart (not a security measure: whoever can tag images on the daemon owns it anyway).
    static func reference(architecture: String, program: [UInt8]) -> String {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in program { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        return "\(repository):\(architecture)-\(String(format: "%016llx", hash))"
    }

    /// `loop: mov eax, 34 (pause); syscall; jmp loop`. Without a signal handler, PID 1 of a container
    /// ignores every signal but SIGKILL, which is how the pod is removed.
    static let x86_64Pause: [UInt8] = [0xB8, 0x22, 0x00, 0x00, 0x00, 0x0F, 0x05, 0xEB, 0xF7]

    /// `loop: x0..x3 = 0; x8 = 73 (ppoll); svc #0; b loop`: ppoll of no descriptors and no timeout blocks
    /// forever (arm64 has no pause system call).
    static let arm64Pause: [UInt8] = [0xD280_0000, 0xD280_0001, 0xD280_0002, 0xD280_0003, 0xD280_0928, 0xD400_0001, 0x17FF_FFFA]
        .flatMap { (word: UInt32) in withUnsafeBytes(of: word.littleEndian, Array.init) }

    /// A 64-bit little-endian executable: the ELF header, one loadable segment holding the whole file at
    /// 0x400000, and the code right after the two headers, where execution starts.
    static func elf(machine: UInt16, code: [UInt8]) -> [UInt8] {
        let base: UInt64 = 0x40_0000
        let headers = 64 + 56
        let size = UInt64(headers + code.count)
        var out: [UInt8] = [0x7F, 0x45, 0x4C, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        func put<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { out.append(contentsOf: $0) } }
        put(UInt16(2))  // ET_EXEC
        put(machine)
        put(UInt32(1))  // EV_CURRENT
        put(base + UInt64(headers))  // entry point
        put(UInt64(64))  // program headers follow the ELF header
        put(UInt64(0))  // no section headers
        put(UInt32(0))  // flags
        put(UInt16(64))  // ELF header size
        put(UInt16(56))  // program header size
        put(UInt16(1))  // one program header
        put(UInt16(64))  // section header size (none present)
        put(UInt16(0))
        put(UInt16(0))
        put(UInt32(1))  // PT_LOAD
        put(UInt32(5))  // readable, executable
        put(UInt64(0))  // from the file's start
        put(base)
        put(base)
        put(size)
        put(size)
        put(UInt64(0x1_0000))  // alignment valid for 4 KiB and 64 KiB pages
        return out + code
    }

    /// A tar archive with the program as `name` (`pause`), mode 0755, owned by root: the import's root filesystem.
    static func archive(program: [UInt8], name: String = "pause") -> [UInt8] {
        var header = [UInt8](repeating: 0, count: 512)
        func field(_ offset: Int, _ text: String) {
            for (index, byte) in text.utf8.enumerated() { header[offset + index] = byte }
        }
        field(0, name)
        field(100, "0000755")
        field(108, "0000000")
        field(116, "0000000")
        field(124, String(format: "%011o", program.count))
        field(136, "00000000000")
        field(148, "        ")  // the checksum is summed with its own field as spaces
        field(156, "0")  // a regular file
        field(257, "ustar")
        field(263, "00")
        let checksum = header.reduce(0) { $0 + Int($1) }
        field(148, String(format: "%06o", checksum))
        header[154] = 0
        header[155] = UInt8(ascii: " ")
        let padding = (512 - program.count % 512) % 512
        return header + program + [UInt8](repeating: 0, count: padding + 1024)
    }
}
