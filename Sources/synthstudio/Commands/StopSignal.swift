import Foundation

/// Set by SIGINT/SIGTERM; long work (a training loop, a render, a worker) checks it between steps.
nonisolated(unsafe) private var stopRequested: sig_atomic_t = 0

/// Ctrl-C and SIGTERM ask the work to stop after the current step instead of killing the process.
func installStopHandlers() {
    signal(SIGINT) { _ in stopRequested = 1 }
    signal(SIGTERM) { _ in stopRequested = 1 }
}

func stopWasRequested() -> Bool { stopRequested != 0 }
