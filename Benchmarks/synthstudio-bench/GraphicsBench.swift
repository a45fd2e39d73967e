import Dispatch
import Foundation
import ImageIO
import StudioCore
import TerminalGraphics
import TestSupport

/// Terminal graphics against img2sixel (libsixel) and chafa, whole process, on the same photos at
/// 320 px wide: time (median of runs), bytes, PSNR of what the terminal would show (sixel decoded
/// back by libsixel's sixel2png; block text rendered back by TestSupport's CellRenderer), and gray
/// levels kept on a gray photo.
struct GraphicsBench {
    let synthstudio: String
    let scratch: String
    let runs = 11

    struct Result {
        var name: String
        var milliseconds: Double
        var bytes: Int
        var psnr: Double?
        var grays: Int?
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        let photos = "Tests/DatasetsTests/Fixtures/coco-photos/val2017"
        // A gray photo at 320 px: china.jpg through our own gray conversion, saved as PNG.
        let china = try ImageFile.read("\(photos)/china.jpg")
        let rgb = china.rgb8()
        var gray = [UInt8](repeating: 0, count: china.width * china.height)
        for p in gray.indices {
            let r = 0.299 * Double(rgb[p * 3]), g = 0.587 * Double(rgb[p * 3 + 1]), b = 0.114 * Double(rgb[p * 3 + 2])
            gray[p] = UInt8((r + g + b).rounded())
        }
        try ImageFile.write(
            Image(width: china.width, height: china.height, layout: .gray, pixels: .eight(gray)), to: "\(scratch)/china-gray.png")
        let inputs = ["\(photos)/china.jpg", "\(photos)/flower.jpg", "\(scratch)/china-gray.png"]

        print("\nSixel at 320 px wide, whole process (median of \(runs) runs), PSNR after decoding with sixel2png")
        guard tool("img2sixel"), tool("sixel2png") else {
            print("  img2sixel / sixel2png not installed (apt-get install libsixel-bin): no comparison")
            return
        }
        for input in inputs {
            let name = (input as NSString).lastPathComponent
            let source = try ImageFile.read(input)
            var results: [Result] = []
            results.append(try sixel("synthstudio", [synthstudio, "preview", input, "--mode", "sixel", "--width", "320"], source: source))
            results.append(try sixel("img2sixel", ["img2sixel", "-w", "320", input], source: source))
            if tool("chafa") {
                // Without a terminal chafa assumes cells twice as tall as our pixels; --font-ratio 1 keeps
                // the photo's aspect (320 × 204 instead of 320 × 102).
                results.append(try sixel("chafa", ["chafa", "-f", "sixels", "--font-ratio", "1", "-s", "40x100", input], source: source))
            }
            report(name, results)
        }

        print("\nUnicode blocks at 80 columns, whole process (median of \(runs) runs), PSNR of the cells rendered back to pixels")
        guard tool("chafa") else {
            print("  chafa not installed (apt-get install chafa): no comparison")
            return
        }
        for input in inputs.prefix(2) {
            let name = (input as NSString).lastPathComponent
            let source = try ImageFile.read(input)
            var results: [Result] = []
            for symbols in ["blocks", "sextant", "half"] {
                results.append(
                    try blocks(
                        "synthstudio \(symbols)", [synthstudio, "preview", input, "--mode", symbols, "--cols", "80", "--colors", "true"],
                        source: source))
            }
            results.append(
                try blocks(
                    "chafa --symbols block", ["chafa", "--symbols", "block", "-s", "80", "-f", "symbols", "--colors", "full", input],
                    source: source))
            results.append(
                try blocks("chafa (default symbols)", ["chafa", "-s", "80", "-f", "symbols", "--colors", "full", input], source: source))
            report(name, results)
        }
    }

    private func report(_ name: String, _ results: [Result]) {
        print("  \(name)")
        let base = results[0]
        for r in results {
            var line = "    " + r.name.padding(toLength: 26, withPad: " ", startingAt: 0)
            line += String(format: "%8.1f ms  %8d bytes", r.milliseconds, r.bytes)
            line += r.psnr.map { String(format: "  PSNR %5.2f dB", $0) } ?? ""
            line += r.grays.map { "  \($0) gray levels" } ?? ""
            if r.name != base.name { line += String(format: "   (synthstudio takes %.2f× its time)", base.milliseconds / r.milliseconds) }
            print(line)
        }
    }

    private func sixel(_ name: String, _ command: [String], source: Image) throws -> Result {
        let (ms, output) = try timed(command)
        let file = "\(scratch)/\(name).six", png = "\(scratch)/\(name).png"
        try Data(output).write(to: URL(fileURLWithPath: file))
        _ = try execute(["sixel2png", "-i", file, "-o", png])
        let decoded = try ImageFile.read(png)
        let shown = decoded.rgb8()
        let reference = Canvas(source).resized(width: decoded.width, height: decoded.height).rgb8()
        var grays: Int?
        if source.layout == .gray {
            grays = Set((0..<(decoded.width * decoded.height)).map { shown[$0 * 3] }).count
        }
        return Result(name: name, milliseconds: ms, bytes: output.count, psnr: ImageQuality.psnr(reference, shown), grays: grays)
    }

    private func blocks(_ name: String, _ command: [String], source: Image) throws -> Result {
        let (ms, output) = try timed(command)
        let rendered = CellRenderer.render(CellRenderer.parse(String(decoding: output, as: UTF8.self)))
        let reference = Canvas(source).resized(width: rendered.width, height: rendered.height).rgb8()
        return Result(name: name, milliseconds: ms, bytes: output.count, psnr: ImageQuality.psnr(reference, rendered.rgb8()), grays: nil)
    }

    private func timed(_ command: [String]) throws -> (Double, [UInt8]) {
        var times: [Double] = []
        var output: [UInt8] = []
        for _ in 0..<runs {
            let start = DispatchTime.now().uptimeNanoseconds
            output = try execute(command)
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return (times.sorted()[runs / 2], output)
    }

    /// Runs a command with stdout to a file (posix_spawn, no pipes, no shell) and returns what it
    /// wrote. Foundation's Process adds tens of milliseconds of its own, which would drown the
    /// differences being measured.
    private func execute(_ command: [String]) throws -> [UInt8] {
        let outputPath = "\(scratch)/stdout"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        // No terminal to ask: every tool gets the same answer-less environment.
        let environment = ["PATH=/usr/bin:/bin", "TERM=xterm-256color", "COLORTERM=truecolor", "LANG=C.UTF-8"]
        let executable = command[0].hasPrefix("/") || command[0].hasPrefix(".") ? command[0] : "/usr/bin/\(command[0])"
        var argv = ([executable] + command.dropFirst()).map { strdup($0) } + [nil]
        var envp = environment.map { strdup($0) } + [nil]
        defer {
            for p in argv { free(p) }
            for p in envp { free(p) }
        }
        var pid: pid_t = 0
        guard posix_spawn(&pid, executable, &actions, nil, &argv, &envp) == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSFilePathErrorKey: executable])
        }
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        guard status == 0 else { throw CocoaError(.executableLoad, userInfo: [NSFilePathErrorKey: command.joined(separator: " ")]) }
        return Array(FileManager.default.contents(atPath: outputPath) ?? Data())
    }

    private func tool(_ name: String) -> Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/\(name)") }
}
