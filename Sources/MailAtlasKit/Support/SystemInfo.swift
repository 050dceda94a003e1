import Foundation
import Glibc

enum SystemInfo {
    /// Cores this process may run on (Foundation reads the scheduler affinity and cgroup limits on Linux).
    static var activeProcessorCount: Int { max(1, ProcessInfo.processInfo.activeProcessorCount) }

    /// Peak resident set size of this process in bytes.
    static var peakRSS: Int {
        var usage = rusage()
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
        return usage.ru_maxrss * 1024
    }
}
