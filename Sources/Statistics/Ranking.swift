/// Average ranks (1 = smallest; ties share the mean of their positions), as `scipy.stats.rankdata`
/// with `method="average"`, together with the sizes of the tie groups.
struct AverageRanks {
    let ranks: [Double]
    /// Size of every group of equal values (groups of one included), in ascending value order.
    let tieGroupSizes: [Int]

    /// Σ (t³ − t) over tie groups: the quantity every tie correction uses.
    var tieSum: Double {
        tieGroupSizes.reduce(0) { sum, t in sum + Double(t * t * t - t) }
    }

    init(_ values: [Double]) {
        let order = values.indices.sorted { values[$0] < values[$1] || (values[$0] == values[$1] && $0 < $1) }
        var ranks = [Double](repeating: 0, count: values.count)
        var groups: [Int] = []
        var start = 0
        while start < order.count {
            var end = start + 1
            while end < order.count && values[order[end]] == values[order[start]] { end += 1 }
            let rank = Double(start + end + 1) / 2  // mean of positions start+1 ... end
            for position in start..<end { ranks[order[position]] = rank }
            groups.append(end - start)
            start = end
        }
        self.ranks = ranks
        self.tieGroupSizes = groups
    }
}
