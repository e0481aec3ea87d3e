import Foundation
import Synchronization
import Testing

@testable import FlowForgeRunner

@Suite("output coalescer")
struct OutputCoalescerTests {
    @Test func whatArrivesWhileTheConsumerIsBusyIsTakenAsOne() async {
        let coalescer = OutputCoalescer()
        for piece in ["a", "bc", "", "def"] { await coalescer.push(Array(piece.utf8)) }
        coalescer.finish()
        #expect(await coalescer.next() == Array("abcdef".utf8))
        #expect(await coalescer.next() == nil)
        #expect(await coalescer.next() == nil)  // stays ended
    }

    @Test func aWaitingConsumerGetsThePieceAtOnceAndEndsOnFinish() async {
        let coalescer = OutputCoalescer()
        let consumer = Task { () -> [[UInt8]?] in
            [await coalescer.next(), await coalescer.next()]
        }
        while !coalescer.consumerWaits { await Task.yield() }
        await coalescer.push([1, 2])
        coalescer.finish()
        #expect(await consumer.value == [[1, 2], nil])
    }

    @Test func aFullBufferHoldsTheProducerUntilTheConsumerTakes() async {
        let coalescer = OutputCoalescer(limit: 4)
        let pushed = Atomic<Int>(0)
        let producer = Task {
            await coalescer.push([1, 2, 3, 4, 5])
            pushed.store(1, ordering: .sequentiallyConsistent)
        }
        while !coalescer.producerWaits { await Task.yield() }
        #expect(pushed.load(ordering: .sequentiallyConsistent) == 0, "push returned over the limit")
        #expect(await coalescer.next() == [1, 2, 3, 4, 5])
        await producer.value
        #expect(pushed.load(ordering: .sequentiallyConsistent) == 1)
    }

    @Test func finishReleasesAWaitingProducerAndKeepsWhatItPushed() async {
        let coalescer = OutputCoalescer(limit: 1)
        let producer = Task { await coalescer.push([7, 7]) }
        while !coalescer.producerWaits { await Task.yield() }
        coalescer.finish()
        await producer.value
        #expect(await coalescer.next() == [7, 7])
        #expect(await coalescer.next() == nil)
    }

    /// Many pieces through a slow consumer: every byte, in order, in far fewer pieces.
    @Test func orderAndBytesSurviveASlowConsumer() async {
        let coalescer = OutputCoalescer(limit: 64)
        let consumer = Task { () -> (bytes: [UInt8], takes: Int) in
            var bytes: [UInt8] = []
            var takes = 0
            while let batch = await coalescer.next() {
                bytes += batch
                takes += 1
                try? await Task.sleep(for: .milliseconds(1))  // a store slower than the reading
            }
            return (bytes, takes)
        }
        var sent: [UInt8] = []
        for index in 0..<2_000 {
            let piece = Array("\(index)\n".utf8)
            sent += piece
            await coalescer.push(piece)
        }
        coalescer.finish()
        let (received, takes) = await consumer.value
        #expect(received == sent)
        #expect(takes < 1_000, "\(takes) takes for 2,000 pieces")
    }
}
