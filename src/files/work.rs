//! Counters of work whose amount must stay in proportion to the input, so tests can check that
//! a hostile input (many steps, many jobs, many duplicates) costs linear work without timing
//! anything. Outside tests [`count`] does nothing and compiles away.

/// A kind of work that once grew faster than its input.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub(crate) enum Work {
    /// Source lines looked at to map a block scalar's lines to offsets.
    BlockLines,
    /// Line indexes built over a whole file.
    LineIndexes,
    /// Jobs looked at to find another job by its id.
    JobLookups,
    /// Candidate ids tried before a job got a unique one.
    IdProbes,
    /// Entries compared to keep a list free of duplicates.
    DedupCompares,
    /// Directories checked to find the chart a file belongs to.
    ChartChecks,
}

impl Work {
    /// How many kinds there are (the last one's index plus one).
    const COUNT: usize = Work::ChartChecks as usize + 1;

    #[cfg(test)]
    fn slot(self) -> usize {
        self as usize
    }
}

#[cfg(test)]
thread_local! {
    static COUNTS: std::cell::Cell<[usize; Work::COUNT]> =
        const { std::cell::Cell::new([0; Work::COUNT]) };
}

/// Records `n` units of `work` on this thread (tests only).
#[inline]
pub(crate) fn count(work: Work, n: usize) {
    #[cfg(test)]
    COUNTS.with(|c| {
        let mut all = c.get();
        if let Some(slot) = all.get_mut(work.slot()) {
            *slot = slot.saturating_add(n);
        }
        c.set(all);
    });
    #[cfg(not(test))]
    let _ = (work, n, Work::COUNT);
}

/// The units of `work` recorded on this thread since the last call, and a fresh start.
#[cfg(test)]
pub(crate) fn take(work: Work) -> usize {
    COUNTS.with(|c| {
        let mut all = c.get();
        let n = all.get(work.slot()).copied().unwrap_or(0);
        if let Some(slot) = all.get_mut(work.slot()) {
            *slot = 0;
        }
        c.set(all);
        n
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_per_kind_and_reset_when_taken() {
        take(Work::JobLookups);
        count(Work::JobLookups, 3);
        count(Work::JobLookups, 2);
        count(Work::IdProbes, 7);
        assert_eq!(take(Work::JobLookups), 5);
        assert_eq!(take(Work::JobLookups), 0);
        assert_eq!(take(Work::IdProbes), 7);
    }
}
