//! `bert-studio train`'s flags for a run split over several devices or machines: which devices
//! of this machine, and this machine's place in the group (as a Slurm or Kubernetes job gives it).

use std::time::Duration;

use bert_studio_engine::backend::DeviceChoice;
use bert_studio_engine::message::Message;
use bert_studio_engine::train::{Cluster, DEFAULT_NODE_TIMEOUT};
use bert_studio_engine::{EngineError, Result};
use clap::Args;

#[derive(Args, Debug, Default, PartialEq)]
pub struct ClusterFlags {
    /// Train on several devices of this machine at once, each on its part of every batch:
    /// cuda:0,cuda:1 or wgpu:0,wgpu:1, or cpu,cpu for copies on the CPU [default: one device]
    #[arg(long, value_name = "LIST", conflicts_with = "device")]
    devices: Option<String>,
    /// How many machines train together (start the same command on each) [default: 1]
    #[arg(long, value_name = "N")]
    nodes: Option<usize>,
    /// This machine's place among them, from 0; node 0 coordinates and alone writes the model
    /// and checkpoints (to a folder every node sees) [default: 0]
    #[arg(long, value_name = "R", requires = "nodes")]
    node_rank: Option<usize>,
    /// Where node 0 listens, HOST:PORT, the same on every node; each node also uses the port
    /// after it plus its rank
    #[arg(long, value_name = "HOST:PORT", requires = "nodes")]
    coordinator: Option<String>,
    /// Seconds a device or node waits for the others at one step before the run ends and
    /// names the node that stopped answering (with --devices or --nodes) [default: 300]
    #[arg(long, value_name = "SECONDS")]
    node_timeout: Option<u64>,
}

impl ClusterFlags {
    /// Whether any flag asks for a split run.
    pub fn given(&self) -> bool {
        *self != ClusterFlags::default()
    }

    /// The cluster, and the device kind `--devices` names (when it names one).
    pub fn cluster(&self) -> Result<(Cluster, Option<DeviceChoice>)> {
        if self.node_timeout.is_some() && self.devices.is_none() && self.nodes.is_none() {
            return Err(EngineError::invalid(Message::plain(
                "--node-timeout is for a run split with --devices or --nodes; this run is on \
                 one device, which waits for no other.",
            )));
        }
        let (kind, device_indices) = match &self.devices {
            Some(list) => {
                let (kind, indices) = parse_devices(list)?;
                (Some(kind), indices)
            }
            None => (None, Vec::new()),
        };
        let cluster = Cluster {
            nodes: self.nodes.unwrap_or(1),
            node_rank: self.node_rank.unwrap_or(0),
            coordinator: self.coordinator.clone(),
            device_indices,
            timeout: self
                .node_timeout
                .map_or(DEFAULT_NODE_TIMEOUT, Duration::from_secs),
        };
        cluster.coordinator_address()?;
        Ok((cluster, kind))
    }
}

/// `cuda:0,cuda:1` → (CUDA, [0, 1]); `cpu,cpu` → (CPU, [0, 1]): one kind, distinct devices.
fn parse_devices(list: &str) -> Result<(DeviceChoice, Vec<u16>)> {
    let refuse = |why: &str| {
        EngineError::invalid(Message::plain(format!(
            "--devices \"{list}\" {why}. Write the devices of one kind, separated by commas: \
             cuda:0,cuda:1 or wgpu:0,wgpu:1, or cpu,cpu for copies on the CPU."
        )))
    };
    let mut kind = None;
    let mut indices = Vec::new();
    for (position, item) in list.split(',').map(str::trim).enumerate() {
        let (name, index) = match item.split_once(':') {
            Some((name, index)) => (name, Some(index)),
            None => (item, None),
        };
        let this = match name {
            "cpu" => DeviceChoice::Cpu,
            "cuda" => DeviceChoice::Cuda,
            "wgpu" => DeviceChoice::Wgpu,
            _ => return Err(refuse(&format!("names an unknown device \"{item}\""))),
        };
        if kind.is_some_and(|k| k != this) {
            return Err(refuse("mixes kinds of device"));
        }
        kind = Some(this);
        let index = match (this, index) {
            // The CPU's copies share it: they are counted, not numbered.
            (DeviceChoice::Cpu, _) => position as u16,
            (_, Some(index)) => index
                .parse()
                .map_err(|_| refuse(&format!("has \"{item}\", whose number is not one")))?,
            (_, None) => return Err(refuse(&format!("has \"{item}\" without its number"))),
        };
        if indices.contains(&index) {
            return Err(refuse(&format!("names \"{item}\" twice")));
        }
        indices.push(index);
    }
    Ok((kind.expect("split gives at least one item"), indices))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_lists_are_read_or_refused_in_words() {
        assert_eq!(
            parse_devices("cuda:0, cuda:2").unwrap(),
            (DeviceChoice::Cuda, vec![0, 2])
        );
        assert_eq!(
            parse_devices("cpu,cpu,cpu").unwrap(),
            (DeviceChoice::Cpu, vec![0, 1, 2])
        );
        for (bad, why) in [
            ("cuda:0,wgpu:1", "mixes"),
            ("cuda:0,cuda:0", "twice"),
            ("cuda", "without its number"),
            ("tpu:0", "unknown device"),
            ("cuda:x", "not one"),
        ] {
            let error = parse_devices(bad).unwrap_err().to_string();
            assert!(error.contains(why), "{bad}: {error}");
        }
    }
}
