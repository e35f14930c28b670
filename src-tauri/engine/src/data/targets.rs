//! What each row is labelled with: one class, or (multi-label data) a set of labels.

/// The labels of one side of the data, as indices into the run's sorted label names.
#[derive(Debug, Clone, PartialEq)]
pub enum Targets {
    /// One class per row.
    Classes(Vec<usize>),
    /// Any number of labels per row (none included), each set sorted and without repeats.
    LabelSets(Vec<Vec<usize>>),
}

/// Joins a row's labels for a fingerprint: a character no label cell can hold.
const FINGERPRINT_JOIN: &str = "\u{1f}";

impl Targets {
    pub fn len(&self) -> usize {
        match self {
            Targets::Classes(c) => c.len(),
            Targets::LabelSets(s) => s.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn is_multi_label(&self) -> bool {
        matches!(self, Targets::LabelSets(_))
    }

    /// The targets of `rows`, in that order.
    pub fn pick(&self, rows: &[usize]) -> Targets {
        match self {
            Targets::Classes(c) => Targets::Classes(rows.iter().map(|r| c[*r]).collect()),
            Targets::LabelSets(s) => {
                Targets::LabelSets(rows.iter().map(|r| s[*r].clone()).collect())
            }
        }
    }

    /// How many rows carry each of `labels` labels.
    pub fn rows_per_label(&self, labels: usize) -> Vec<usize> {
        let mut counts = vec![0; labels];
        match self {
            Targets::Classes(c) => c.iter().for_each(|c| counts[*c] += 1),
            Targets::LabelSets(s) => s.iter().flatten().for_each(|l| counts[*l] += 1),
        }
        counts
    }

    /// Row `row`'s labels as one text (`labels` names them): the class name, or the names of
    /// the set joined by a character no cell holds. What fingerprints hash.
    pub fn label_text(&self, row: usize, labels: &[String]) -> String {
        match self {
            Targets::Classes(c) => labels[c[row]].clone(),
            Targets::LabelSets(s) => s[row]
                .iter()
                .map(|l| labels[*l].as_str())
                .collect::<Vec<_>>()
                .join(FINGERPRINT_JOIN),
        }
    }

    /// Rows × labels of 0/1 (row-major) for `rows`: the multi-label loss's targets.
    pub fn multi_hot(&self, rows: &[usize], labels: usize) -> Vec<f32> {
        let mut out = vec![0.0; rows.len() * labels];
        for (i, row) in rows.iter().enumerate() {
            match self {
                Targets::Classes(c) => out[i * labels + c[*row]] = 1.0,
                Targets::LabelSets(s) => s[*row].iter().for_each(|l| out[i * labels + l] = 1.0),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_pick_count_and_encode_their_rows() {
        let sets = Targets::LabelSets(vec![vec![0, 2], vec![], vec![1]]);
        assert_eq!(sets.rows_per_label(3), vec![1, 1, 1]);
        assert_eq!(
            sets.pick(&[2, 0]),
            Targets::LabelSets(vec![vec![1], vec![0, 2]])
        );
        assert_eq!(sets.multi_hot(&[0, 1], 3), vec![1., 0., 1., 0., 0., 0.]);
        let names: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(sets.label_text(0, &names), "a\u{1f}c");
        assert_eq!(sets.label_text(1, &names), "");
        let classes = Targets::Classes(vec![1, 1, 0]);
        assert_eq!(classes.rows_per_label(2), vec![1, 2]);
        assert_eq!(classes.label_text(0, &names), "b");
    }
}
