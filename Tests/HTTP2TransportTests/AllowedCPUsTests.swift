@testable import HTTP2Transport
import NIOCore
import Testing

/// The default number of event loops follows the CPUs the process may run on, so that a
/// server pinned with `taskset` does not run several loops on one CPU.
@Suite struct AllowedCPUsTests {
    @Test func cpuListsAreCountedAsTheKernelWritesThem() {
        #expect(AllowedCPUs.count(inList: "0") == 1)
        #expect(AllowedCPUs.count(inList: "\t0-1\n") == 2)
        #expect(AllowedCPUs.count(inList: "0,2-3,8") == 4)
        #expect(AllowedCPUs.count(inList: "0-63") == 64)
    }

    @Test func malformedListsAreNotCounted() {
        for list in ["", "3-1", "a", "0-", "-1", "0-1-2", "1,,2"] {
            #expect(AllowedCPUs.count(inList: list) == nil, "\(list)")
        }
    }

    @Test func thisProcessGetsAtLeastOneLoopAndNoMoreThanItsCores() {
        #expect((1...System.coreCount).contains(AllowedCPUs.count))
        #expect(HTTP2ServerConfiguration().threads == AllowedCPUs.count)
    }
}
