internal import Glibc

/// Seconds `body` takes on the monotonic clock: the bench's Embree-alone timings.
func seconds<Result>(_ body: () -> Result) -> (Result, Double) {
    var start = timespec(), end = timespec()
    clock_gettime(CLOCK_MONOTONIC, &start)
    let result = body()
    clock_gettime(CLOCK_MONOTONIC, &end)
    return (result, Double(end.tv_sec - start.tv_sec) + Double(end.tv_nsec - start.tv_nsec) / 1e9)
}
