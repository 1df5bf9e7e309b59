import Testing
@testable import FleetBench

@Suite struct MixTests {
    @Test func parsesTheDefaultMix() throws {
        let mix = try Mix(parsing: Mix.defaultText)
        #expect(mix.operations == [.deployDryRun, .getCapacity, .listDeployments])
        #expect(mix.share(of: .getCapacity) == 0.3)
    }

    @Test func aWeightDefaultsToOne() throws {
        let mix = try Mix(parsing: "echo")
        #expect(mix.entries == [.init(operation: .echo, weight: 1)])
    }

    @Test(arguments: [
        ("nope=1", "is not an operation"),
        ("echo=0", "positive integer"),
        ("echo=-3", "positive integer"),
        ("echo=x", "positive integer"),
        ("echo=1,echo=2", "twice"),
        ("", "is not an operation"),
        ("echo=1,", "is not an operation"),
    ])
    func rejects(text: String, reason: String) {
        #expect {
            try Mix(parsing: text)
        } throws: { error in
            (error as? Mix.Invalid)?.description.contains(reason) == true
        }
    }

    @Test func aCycleHasEachOperationAsOftenAsItsWeight() throws {
        let cycle = try Mix(parsing: "deploy-dry-run=50,get-capacity=30,list-deployments=20").cycle()
        #expect(cycle.count == 100)
        #expect(cycle.filter { $0 == .deployDryRun }.count == 50)
        #expect(cycle.filter { $0 == .getCapacity }.count == 30)
        #expect(cycle.filter { $0 == .listDeployments }.count == 20)
    }

    @Test func aCycleInterleavesRatherThanRunsInBlocks() throws {
        let cycle = try Mix(parsing: "echo=1,get-capacity=1").cycle()
        #expect(cycle == [.echo, .getCapacity])
        let weighted = try Mix(parsing: "echo=3,deploy-delete=1").cycle()
        #expect(weighted.count == 4)
        // Every window of ten requests keeps close to the proportions.
        let long = try Mix(parsing: "deploy-dry-run=50,get-capacity=30,list-deployments=20").cycle()
        for start in stride(from: 0, to: 90, by: 10) {
            let window = long[start..<start + 10]
            #expect((4...6).contains(window.filter { $0 == .deployDryRun }.count))
        }
    }
}
