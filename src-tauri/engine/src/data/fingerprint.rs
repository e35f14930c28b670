//! Which labelled rows a set of metrics was measured on, whatever their order or file name:
//! two models are compared "on the same data" only when these are equal.

use sha2::{Digest, Sha256};

use super::targets::Targets;

/// A running fingerprint of (text, label) rows. Each row is hashed on its own and the hashes
/// are added, so the same rows in any order (a split's shuffled validation rows, the same file
/// read again) give the same fingerprint, and any changed, added or removed row another.
#[derive(Debug, Default, Clone)]
pub struct RowsFingerprint {
    sum: u128,
    rows: u64,
}

impl RowsFingerprint {
    pub fn add(&mut self, text: &str, label: &str) {
        let mut hash = Sha256::new();
        // Lengths first: ("ab", "c") and ("a", "bc") are different rows.
        hash.update((text.len() as u64).to_le_bytes());
        hash.update(text.as_bytes());
        hash.update(label.as_bytes());
        let digest = hash.finalize();
        let head: [u8; 16] = digest[..16].try_into().expect("a SHA-256 has 32 bytes");
        self.sum = self.sum.wrapping_add(u128::from_le_bytes(head));
        self.rows += 1;
    }

    /// `<sum of row hashes>-<rows>`, as text for reports.
    pub fn finish(&self) -> String {
        format!("{:032x}-{}", self.sum, self.rows)
    }

    /// The fingerprint of rows given as texts and targets (classes or label sets) over
    /// `labels`: a class row hashes its class's name, a set row its labels' names.
    pub fn of_targets(texts: &[String], targets: &Targets, labels: &[String]) -> String {
        let mut fingerprint = RowsFingerprint::default();
        for (row, text) in texts.iter().enumerate() {
            fingerprint.add(text, &targets.label_text(row, labels));
        }
        fingerprint.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn of(rows: &[(&str, &str)]) -> String {
        let mut f = RowsFingerprint::default();
        rows.iter().for_each(|(t, l)| f.add(t, l));
        f.finish()
    }

    #[test]
    fn same_rows_in_any_order_match_and_any_change_does_not() {
        let rows = [
            ("vente de pain", "10"),
            ("pêche en mer", "03"),
            ("taxi", "49"),
        ];
        let base = of(&rows);
        assert_eq!(base, of(&[rows[2], rows[0], rows[1]]));
        assert_ne!(base, of(&[rows[0], rows[1]]));
        assert_ne!(base, of(&[rows[0], rows[1], ("taxi", "50")]));
        assert_ne!(base, of(&[rows[0], rows[1], ("taxis", "49")]));
        assert_ne!(of(&[("ab", "c")]), of(&[("a", "bc")]));
        assert_ne!(base, of(&[rows[0], rows[1], rows[2], rows[2]]));
    }
}
