import Foundation
import TestSupport
import Testing

/// The studio end to end: the real binary in a real terminal (tmux), keys sent, the screen read
/// back with `capture-pane` — the whole loop on sample-data's digits: open Coverage, the cursor is
/// on the class-7 gap, `f` prefills a GAN job, Enter queues it, the count rises.
@Suite("studio in tmux", .serialized)
struct StudioTmuxTests {
    final class Tmux {
        let socket = "synthstudio-test-\(UUID().uuidString.prefix(8))"
        let session = "s"

        /// Runs `tmux -L socket ARGS` and returns its output. Spawned with posix_spawn and reaped
        /// with waitpid: Foundation's Process watches for exit through a descriptor the child
        /// inherits, and the tmux server that `new-session` starts keeps it open forever.
        @discardableResult
        func run(_ arguments: [String]) -> String {
            let output = "\(NSTemporaryDirectory())/tmux-out-\(UUID().uuidString)"
            defer { unlink(output) }
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            let argv = ["/usr/bin/tmux", "-L", socket] + arguments
            var cArguments = argv.map { strdup($0) } + [nil]
            defer { for p in cArguments { free(p) } }
            // The test runner blocks some signals; tmux and the studio must not inherit that.
            var attributes = posix_spawnattr_t()
            posix_spawnattr_init(&attributes)
            defer { posix_spawnattr_destroy(&attributes) }
            var empty = sigset_t()
            sigemptyset(&empty)
            posix_spawnattr_setsigmask(&attributes, &empty)
            posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK))
            var pid: pid_t = 0
            guard posix_spawn(&pid, argv[0], &actions, &attributes, &cArguments, environ) == 0 else { return "" }
            var status: Int32 = 0
            waitpid(pid, &status, 0)
            return (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        }

        /// Starts `command` in a detached session, in `directory` (the shell's current folder);
        /// its exit status lands in `statusFile`.
        func start(_ command: String, width: Int, height: Int, statusFile: String, directory: String? = nil) {
            run(
                ["-f", "/dev/null", "new-session", "-d", "-s", session, "-x", "\(width)", "-y", "\(height)"]
                    + (directory.map { ["-c", $0] } ?? []) + ["\(command); echo $? > \(statusFile); sleep 30"])
        }

        /// The command's exit status once it has ended (nil after `timeout` seconds).
        func exitStatus(_ statusFile: String, timeout: Double = 10) -> String? {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if let text = try? String(contentsOfFile: statusFile, encoding: .utf8), text.hasSuffix("\n") {
                    return text.trimmingCharacters(in: .whitespacesAndNewlines)
                }
                usleep(100_000)
            }
            return nil
        }

        func screen() -> String { run(["capture-pane", "-p", "-t", session]) }

        /// Waits until the screen shows `text` (or fails after `timeout` seconds).
        func waitFor(_ text: String, timeout: Double = 20) -> Bool {
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if screen().contains(text) { return true }
                usleep(100_000)
            }
            return false
        }

        func keys(_ keys: String...) { run(["send-keys", "-t", session] + keys) }

        deinit { run(["kill-server"]) }
    }

    static var available: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/tmux") }

    /// sample-data's digits, its GAN run, and a studio.yaml with the digits view only.
    static func workspace() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory("studio")
        let sample = "\(CLIRunner.repository)/sample-data"
        try FileManager.default.createDirectory(atPath: "\(dir.path)/real", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(sample)/real/digits", toPath: "\(dir.path)/real/digits")
        try FileManager.default.createDirectory(atPath: "\(dir.path)/models", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "\(sample)/models/digits", toPath: "\(dir.path)/models/digits")
        dir.write(
            "studio.yaml",
            """
            name: studio-test
            datasets:
              - name: digits
                path: real/digits
                origin: real
            coverage:
              - name: digits
                datasets: [digits, digits-*]
                rows: category
                target: 100

            """)
        return dir
    }

    /// tmux answers OSC 11 with the pane's background: on white the studio picks the light theme
    /// by itself, on black the dark one; `--theme` overrides. The binary runs from a copy.
    @Test(.enabled(if: available, "needs tmux (make test installs it)"))
    func aLightTerminalGetsTheLightTheme() throws {
        let dir = try Self.workspace()
        let binary = dir.file("bin/synthstudio")
        try FileManager.default.createDirectory(atPath: dir.file("bin"), withIntermediateDirectories: true)
        try CLIRunner.copyBinary(to: binary)
        for (background, arguments, expected) in [
            ("#ffffff", "", "theme light (light background)"), ("#000000", "", "theme dark ·"),
            ("#ffffff", "--theme high-contrast", "theme high-contrast ·"),
        ] {
            let tmux = Tmux()
            // The style is set before the studio asks (it starts half a second later).
            tmux.start(
                "sleep 0.5; \(binary) \(arguments) .", width: 100, height: 30, statusFile: "\(dir.path)/exit-status", directory: dir.path)
            tmux.run(["set", "-t", tmux.session, "window-style", "bg=\(background)"])
            #expect(tmux.waitFor("1 Browse"), "\(tmux.screen())")
            tmux.keys("?")
            #expect(tmux.waitFor(expected), "\(background) \(arguments): \(tmux.screen())")
            tmux.keys("Escape")
            tmux.keys("q")
            #expect(tmux.exitStatus("\(dir.path)/exit-status") == "0")
            try? FileManager.default.removeItem(atPath: "\(dir.path)/exit-status")
        }
    }

    /// The studio started the way `make run` starts it: `synthstudio sample-data`, a path relative
    /// to the current folder, here a fresh copy of the whole sample workspace. `f` on the class-7
    /// gap fills it from the GAN run; `f` on the street view's largest gap (reflections in snow)
    /// and on the yard's (balls at sunset) renders until the cell reaches its target.
    @Test(.enabled(if: available, "needs tmux (make test installs it)"))
    func fillGapsAsMakeRunStartsTheStudio() throws {
        let dir = TemporaryDirectory("make-run")
        try FileManager.default.copyItem(atPath: "\(CLIRunner.repository)/sample-data", toPath: "\(dir.path)/sample-data")
        let tmux = Tmux()
        tmux.start(
            "\(CLIRunner.binary) sample-data", width: 160, height: 48, statusFile: "\(dir.path)/exit-status", directory: dir.path)
        #expect(tmux.waitFor("1 Browse"), "\(tmux.screen())")
        #expect(tmux.waitFor("indexed"), "the background index finished")
        tmux.keys("3")
        #expect(tmux.waitFor("7: 15 real + 0 synthetic = 15 of 100 — 85 short"), "\(tmux.screen())")
        tmux.keys("?")
        #expect(tmux.waitFor("fill the gap: a prefilled generation job"))
        tmux.keys("Escape")
        tmux.keys("f")
        #expect(tmux.waitFor("Fill the gap"), "\(tmux.screen())")
        #expect(tmux.waitFor("7 (85 short): GAN models/digits"), "\(tmux.screen())")
        tmux.keys("Enter")
        #expect(tmux.waitFor("15→100", timeout: 60), "\(tmux.screen())")
        // The street view: pedestrian reflections in snow, 1 of 20 (the largest gap).
        tmux.keys("v")
        #expect(tmux.waitFor("pedestrian_reflection × snow: 0 real + 1 synthetic = 1 of 20 — 19 short"), "\(tmux.screen())")
        tmux.keys("f")
        #expect(tmux.waitFor("Fill the gap"), "\(tmux.screen())")
        // Long parameter names are shown whole: the key column is as wide as the longest.
        #expect(tmux.waitFor("glass_facades 1") && tmux.screen().contains("snow"), "\(tmux.screen())")
        #expect(tmux.waitFor("20 in pedestrian_reflection × snow"), "\(tmux.screen())")
        tmux.keys("Enter")
        #expect(tmux.waitFor("1→", timeout: 90), "\(tmux.screen())")
        // The yard, composed from the workspace's assets: balls at sunset, 5 of 10; `f` pins the
        // environment and the balls' count.
        tmux.keys("v")
        #expect(tmux.waitFor("ball × sunset: 0 real + 5 synthetic = 5 of 10 — 5 short"), "\(tmux.screen())")
        tmux.keys("f")
        #expect(tmux.waitFor("count_ball  3") && tmux.waitFor("environment sunset"), "\(tmux.screen())")
        tmux.keys("Enter")
        let deadline = Date().addingTimeInterval(300)
        var filled = false
        while !filled && Date() < deadline {
            filled = tmux.screen().split(separator: "\n").contains { $0.contains("ball × sunset:") && $0.contains("✓") }
            if !filled { usleep(500_000) }
        }
        #expect(filled, "the yard's cell reached its target: \(tmux.screen())")
        tmux.keys("4")
        #expect(tmux.waitFor("succeeded  gan-sample digits-gan"), "\(tmux.screen())")
        // Both render jobs (the street's and the yard's) finish before the studio is left (`q`
        // asks first while jobs run).
        let finished = Date().addingTimeInterval(300)
        while tmux.screen().components(separatedBy: "succeeded  render").count < 3 && Date() < finished { usleep(500_000) }
        #expect(tmux.screen().components(separatedBy: "succeeded  render").count == 3, "\(tmux.screen())")
        tmux.keys("q")
        #expect(tmux.exitStatus("\(dir.path)/exit-status") == "0", "the studio exited cleanly")
        #expect(tmux.run(["display-message", "-p", "-t", tmux.session, "#{alternate_on}"]).hasPrefix("0"), "and left the alternate screen")
        let workspace = "\(dir.path)/sample-data"
        let studio = try String(contentsOfFile: "\(workspace)/studio.yaml", encoding: .utf8)
        #expect(studio.contains("digits-gan"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: "\(workspace)/synthetic/digits-gan/7").count == 85)
        // The cell reached its target, within one image's worth.
        let coverage = try CLIRunner.json(["coverage", workspace, "--view", "street", "--json"])
        let cell = (coverage["cells"] as? [[String: Any]])?.first {
            $0["row"] as? String == "pedestrian_reflection" && $0["col"] as? String == "snow"
        }
        let have = (cell?["synthetic"] as? Int ?? 0) + (cell?["real"] as? Int ?? 0)
        #expect((20...32).contains(have), "pedestrian_reflection × snow holds \(have)")
    }

    /// The layouts a new user meets at 80×24 and 160×48, on a copy of the whole sample workspace
    /// opened by a relative path: every tab fits, Browse leaves the preview room, the help
    /// scrolls, Balance and Coverage keep their last lines.
    @Test(.enabled(if: available, "needs tmux (make test installs it)"))
    func layoutsAt80x24And160x48() throws {
        let dir = TemporaryDirectory("layouts")
        try FileManager.default.copyItem(atPath: "\(CLIRunner.repository)/sample-data", toPath: "\(dir.path)/sample-data")
        for (width, height) in [(80, 24), (160, 48)] {
            let tmux = Tmux()
            tmux.start(
                "\(CLIRunner.binary) sample-data", width: width, height: height, statusFile: "\(dir.path)/exit-status",
                directory: dir.path)
            #expect(tmux.waitFor("6 Health"), "every tab fits at \(width): \(tmux.screen())")
            #expect(tmux.waitFor("┌─ Preview"), "the first page of samples landed: \(tmux.screen())")
            let boxes = tmux.screen().split(separator: "\n", omittingEmptySubsequences: false)[1]
            // The preview pane starts before the middle of the screen.
            let preview = boxes.range(of: "┌─ Preview").map { boxes.distance(from: boxes.startIndex, to: $0.lowerBound) }
            #expect(preview.map { $0 <= width / 2 + 4 } ?? false, "\(width): \(boxes)")
            tmux.keys("2")
            #expect(tmux.waitFor("view digits: digits"), "\(tmux.screen())")
            if height >= 48 { #expect(tmux.waitFor("traffic_sign"), "the street section fits at \(height) rows: \(tmux.screen())") }
            tmux.keys("3")
            #expect(tmux.waitFor("f fill the gap"), "Coverage keeps its key line at \(width)×\(height): \(tmux.screen())")
            tmux.keys("?")
            #expect(tmux.waitFor("Keys — Coverage"), "\(tmux.screen())")
            // The title can show before the rest of the overlay is drawn: wait for its last line.
            if height < 30 {
                #expect(tmux.waitFor("j/k scroll"), "the help scrolls when it does not fit: \(tmux.screen())")
                for _ in 0..<40 { tmux.keys("j") }
                #expect(tmux.waitFor("Ctrl-L"), "its last key can be reached: \(tmux.screen())")
            } else {
                #expect(tmux.waitFor("Ctrl-L"), "\(tmux.screen())")
                #expect(!tmux.screen().contains("j/k scroll"), "the help fits whole at \(height) rows: \(tmux.screen())")
            }
            tmux.keys("Escape")
            tmux.keys("q")
            #expect(tmux.exitStatus("\(dir.path)/exit-status") == "0")
            try? FileManager.default.removeItem(atPath: "\(dir.path)/exit-status")
        }
    }

    @Test(.enabled(if: available, "needs tmux (make test installs it)"))
    func resizeBelowTheMinimumAndBackAndSigtermRestoreTheTerminal() throws {
        let dir = try Self.workspace()
        let tmux = Tmux()
        tmux.start("\(CLIRunner.binary) \(dir.path)", width: 100, height: 30, statusFile: "\(dir.path)/exit-status")
        #expect(tmux.waitFor("1 Browse"))
        tmux.run(["resize-window", "-t", tmux.session, "-x", "40", "-y", "10"])
        #expect(tmux.waitFor("Terminal too small"), "\(tmux.screen())")
        tmux.run(["resize-window", "-t", tmux.session, "-x", "120", "-y", "40"])
        #expect(tmux.waitFor("1 Browse"), "\(tmux.screen())")
        // SIGTERM from outside: the studio restores the terminal and exits.
        let shell = tmux.run(["display-message", "-p", "-t", tmux.session, "#{pane_pid}"]).trimmingCharacters(in: .whitespacesAndNewlines)
        let child = (try? String(contentsOfFile: "/proc/\(shell)/task/\(shell)/children", encoding: .utf8))?
            .split(separator: " ").first.flatMap { Int32($0) }
        #expect(child != nil, "the studio runs under the pane's shell")
        if let child { kill(child, SIGTERM) }
        #expect(tmux.exitStatus("\(dir.path)/exit-status") == "143", "the studio ended on SIGTERM with 128 + 15, as shells expect")
        #expect(tmux.run(["display-message", "-p", "-t", tmux.session, "#{alternate_on}"]).hasPrefix("0"), "and left the alternate screen")
    }
}
