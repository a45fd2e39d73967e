import Foundation
import Glibc
import StudioCore
import TestSupport
import Testing

@Suite("synthstudio preview", .serialized)
struct PreviewCLITests {
    static let photo = "Tests/DatasetsTests/Fixtures/coco-photos/val2017/china.jpg"

    @Test("sixel to a pipe: a complete DCS that decodes to the requested width")
    func sixelToPipe() throws {
        let result = try CLIRunner.run(["preview", Self.photo, "--mode", "sixel", "--width", "160"])
        #expect(result.status == 0)
        let decoded = try SixelDecoder.decode(Array(result.stdout.utf8))
        #expect(decoded.image.width == 160 && decoded.image.height == 107)
    }

    @Test("kitty and iTerm2 to a pipe: the picture as PNG at the requested width, the cursor left below it")
    func kittyAndITermToPipe() throws {
        let kitty = try CLIRunner.run(["preview", Self.photo, "--mode", "kitty", "--width", "160"])
        #expect(kitty.status == 0 && kitty.stdout.hasPrefix("\u{1B}_Ga=T,f=100,t=d,q=2,m=") && kitty.stdout.hasSuffix("\u{1B}\\\n"))
        let payload = kitty.stdout.dropLast().split(separator: "\u{1B}\\").map { $0.split(separator: ";", maxSplits: 1).last ?? "" }
            .joined()
        let png = try #require(Data(base64Encoded: payload))
        #expect(png.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR: width and height, big-endian, at bytes 16–23.
        let width = png[16...19].reduce(0) { $0 << 8 | Int($1) }, height = png[20...23].reduce(0) { $0 << 8 | Int($1) }
        #expect(width == 160 && height == 107)
        let iterm = try CLIRunner.run(["preview", Self.photo, "--mode", "iterm", "--width", "160"])
        #expect(iterm.status == 0 && iterm.stdout.hasPrefix("\u{1B}]1337;File=inline=1;size=\(png.count);width=16;height=6;"))
    }

    @Test("blocks with --cols, colours as asked, NO_COLOR honoured")
    func blocks() throws {
        let colour = try CLIRunner.run(["preview", Self.photo, "--mode", "blocks", "--cols", "40", "--colors", "256"])
        let lines = colour.stdout.split(separator: "\n")
        #expect(lines.count == 13)  // 320×214 on 10×20 cells at 40 columns
        #expect(colour.stdout.contains("38;5;") && !colour.stdout.contains("38;2;"))
        let plain = try CLIRunner.run(["preview", Self.photo, "--mode", "ascii", "--cols", "40"], environment: ["NO_COLOR": "1"])
        #expect(!plain.stdout.contains("\u{1B}"))
        #expect(plain.stdout.split(separator: "\n").allSatisfy { $0.count == 40 })
    }

    @Test("auto mode without a terminal falls back to blocks")
    func autoWithoutTerminal() throws {
        let result = try CLIRunner.run(
            ["preview", Self.photo, "--cols", "20"], environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        #expect(result.status == 0)
        #expect(!result.stdout.hasPrefix("\u{1B}P"))
        #expect(result.stdout.unicodeScalars.contains { (0x2580...0x259F).contains($0.value) })
    }

    @Test("--boxes draws the dataset's labels")
    func boxes() throws {
        let result = try CLIRunner.run([
            "preview", Self.photo, "--mode", "ascii", "--cols", "80", "--colors", "none", "--boxes",
            "Tests/DatasetsTests/Fixtures/coco-photos",
        ])
        #expect(result.status == 0)
        for label in ["[building]", "[boat]", "[tree]"] { #expect(result.stdout.contains(label)) }
        let wrong = try CLIRunner.run(["preview", Self.photo, "--boxes", "Tests/DatasetsTests/Fixtures/voc-mini"])
        #expect(wrong.status == 1 && wrong.stderr.contains("is not an image of the dataset"))
    }

    @Test("bad input: a missing file, a broken image, bad options")
    func badInput() throws {
        let missing = try CLIRunner.run(["preview", "nope.png"])
        #expect(missing.status == 1 && missing.stderr.hasPrefix("synthstudio: error: nope.png"))
        let dir = TemporaryDirectory()
        let cut = dir.write(
            "cut.jpg", Array(try Data(contentsOf: URL(fileURLWithPath: "\(CLIRunner.repository)/\(Self.photo)")).prefix(3000)))
        let broken = try CLIRunner.run(["preview", cut])
        #expect(broken.status == 1 && broken.stderr.contains("truncated"))
        #expect(try CLIRunner.run(["preview", Self.photo, "--mode", "gif"]).status != 0)
        #expect(try CLIRunner.run(["preview", Self.photo, "--width", "10", "--cols", "10"]).status != 0)
        #expect(try CLIRunner.run(["preview", Self.photo, "--width", "0"]).status != 0)
    }

    /// Runs the binary and returns its exit status and peak resident memory in bytes, read from
    /// its `/proc/<pid>/status` (`VmHWM`, the peak of its own address space) while it runs. The
    /// child's rusage would not do: spawned by vfork, it counts this test process's memory too.
    static func peakMemory(_ arguments: [String]) -> (status: Int32, bytes: Int) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = [CLIRunner.binary] + arguments
        var cArguments = argv.map { strdup($0) } + [nil]
        defer { for p in cArguments { free(p) } }
        var pid: pid_t = 0
        guard posix_spawn(&pid, argv[0], &actions, nil, &cArguments, environ) == 0 else { return (-1, 0) }
        var peak = 0
        var status: Int32 = 0
        while true {
            // The binary itself, once exec'd (before, /proc shows the spawning copy).
            if let text = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8), text.contains("Name:\tsynthstudio"),
                let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
                let kilobytes = Int(line.split(separator: " ").dropFirst().first ?? "")
            {
                peak = max(peak, kilobytes * 1024)
            }
            if waitpid(pid, &status, WNOHANG) == pid { break }
            usleep(2_000)
        }
        return ((status >> 8) & 0xFF, peak)
    }

    @Test("a 16384×16384 PNG previews with memory bounded by the preview, not by the image")
    func hugeImage() throws {
        let huge = "\(CLIRunner.repository)/Tests/ImageIOTests/Fixtures/huge-16384.png"
        for mode in ["ascii", "blocks", "sixel"] {
            let run = Self.peakMemory(["preview", huge, "--mode", mode, "--cols", "40"])
            #expect(run.status == 0)
            // The decoded image would be 256 MB (it took 8.7 GB before); the runtime alone is ~20 MB.
            #expect(run.bytes > 1 << 20 && run.bytes < 120 << 20, "\(mode): \(run.bytes >> 20) MB")
        }
    }
}
