//! The all-reduce of a data-parallel step, through burn-collective: every replica's gradients
//! (already scaled by its share of the batch) summed into the same vector on every device of
//! every node, so that one AdamW update keeps the copies identical.
//!
//! burn-collective 0.21's global all-reduce hangs on its second call within one registration
//! (tracel-ai/burn#4549: fixed transfer ids), so each step registers, reduces once and
//! finishes. Its calls block without a time limit, so each runs on a helper thread that the
//! replica waits for with one: a node that died ends the run with its name instead of a hang.

use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::str::FromStr;
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use burn::module::{AutodiffModule, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::backend::{AutodiffBackend, Backend};
use burn::tensor::{ElementConversion, Tensor, TensorPrimitive};
use burn_collective::{
    CollectiveConfig, PeerId, ReduceOperation, all_reduce, finish_collective, register,
};
use burn_communication::Address;

use super::cluster::{Cluster, Replica, data_port};
use super::roll_call::{NodeCall, RunSign, check_agreement, read_roll_call, roll_call_values};
use crate::cancel::CancelToken;
use crate::error::{EngineError, Result};
use crate::said;

/// How often a waiting replica looks at the cancel button.
const CANCEL_POLL: Duration = Duration::from_millis(200);

/// One replica's side of the run's all-reduces.
pub struct GradientSync<B: Backend> {
    peer: PeerId,
    /// The first replica of the run (node 0's first device), whose decisions all follow.
    leads: bool,
    /// How many replicas take part in every exchange.
    replicas: usize,
    device: B::Device,
    config: CollectiveConfig,
    timeout: Duration,
    node_rank: usize,
    /// Whether the group is one process's devices (no nodes to name).
    one_machine: bool,
    /// Every node's data service, learned at the roll call (to name one that died).
    nodes: Vec<Option<SocketAddr>>,
    /// All-reduces done, for the messages.
    exchanges: usize,
}

impl<B: Backend> GradientSync<B> {
    /// Joins the group: node 0's first replica starts the orchestrator, then every replica
    /// waits (at most the cluster's timeout) for all the others at the roll call, which
    /// refuses nodes that would train something else (`roll_call`).
    pub fn join(
        cluster: &Cluster,
        replica: Replica,
        device: B::Device,
        run: RunSign,
        cancel: &CancelToken,
    ) -> Result<Self> {
        quiet_network_layer();
        let mut config = CollectiveConfig::default().with_num_devices(cluster.devices_here());
        let coordinator = cluster.coordinator_address()?;
        let mut own_address = None;
        if let Some(coordinator) = coordinator {
            let port = data_port(coordinator, cluster.node_rank);
            if replica.local == 0 {
                if cluster.node_rank == 0 {
                    ensure_free(coordinator.port())?;
                    start_orchestrator(coordinator.port());
                }
                ensure_free(port)?;
            }
            let own = SocketAddr::new(own_ip(coordinator), port);
            own_address = Some(own);
            let ws = |address: SocketAddr| {
                Address::from_str(&format!("ws://{address}")).expect("a socket address is a URL")
            };
            config = config
                .with_num_nodes(cluster.nodes as u32)
                .with_global_address(ws(coordinator))
                .with_node_address(ws(own))
                .with_data_service_port(port);
        }
        let mut sync = GradientSync {
            peer: PeerId::from(replica.index),
            leads: replica.leads(),
            replicas: replica.count,
            device,
            config,
            timeout: cluster.timeout,
            node_rank: cluster.node_rank,
            one_machine: cluster.nodes == 1,
            nodes: vec![None; cluster.nodes],
            exchanges: 0,
        };
        let call = NodeCall {
            address: match own_address {
                Some(SocketAddr::V4(own)) => Some(own),
                _ => None,
            },
            devices: cluster.devices_here(),
            start_step: run.start_step,
            digest: run.digest,
        };
        let speaks = (replica.local == 0).then_some(&call);
        let values = roll_call_values(speaks, cluster.node_rank, cluster.nodes);
        let calls = read_roll_call(&sync.sum_values(&values, cancel)?);
        sync.nodes = calls
            .iter()
            .map(|call| call.and_then(|c| c.address).map(SocketAddr::V4))
            .collect();
        check_agreement(&call, cluster.node_rank, &calls)?;
        Ok(sync)
    }

    /// The sum of `values` over every replica of the run (waiting for the others at most the
    /// cluster's timeout; a cancel while waiting ends the wait). The last value is the count
    /// slot: every replica puts 1 there, and a sum that did not count every replica is refused
    /// (burn-collective can let a node into an exchange before another has left the last one).
    pub fn sum(&mut self, values: Tensor<B, 1>, cancel: &CancelToken) -> Result<Tensor<B, 1>> {
        let (peer, device, config) = (self.peer, self.device.clone(), self.config.clone());
        let primitive = values.into_primitive().tensor();
        let (sender, answer) = mpsc::channel();
        std::thread::Builder::new()
            .name("all-reduce".into())
            .spawn(move || {
                let result = register::<B>(peer, device, config)
                    .and_then(|()| all_reduce::<B>(peer, primitive, ReduceOperation::Sum))
                    .and_then(|sum| finish_collective::<B>(peer).map(|()| sum));
                let _ = sender.send(result);
            })
            .map_err(EngineError::internal)?;
        let started = Instant::now();
        let result = loop {
            match answer.recv_timeout(CANCEL_POLL) {
                Ok(result) => break result,
                Err(RecvTimeoutError::Disconnected) => {
                    break Err(burn_collective::CollectiveError::Other(
                        "the all-reduce stopped without an answer".into(),
                    ));
                }
                Err(RecvTimeoutError::Timeout) => {
                    if cancel.is_cancelled() {
                        return Err(EngineError::Cancelled);
                    }
                    if started.elapsed() >= self.timeout {
                        return Err(self.no_answer());
                    }
                }
            }
        };
        self.exchanges += 1;
        let sum = match result {
            Ok(sum) => Tensor::<B, 1>::from_primitive(TensorPrimitive::Float(sum)),
            Err(error) => {
                // burn's exchange fails at once when a node in it vanishes: name the node.
                let silent = match self.one_machine {
                    true => Vec::new(),
                    false => self.silent_nodes(),
                };
                if !silent.is_empty() {
                    return Err(self.nodes_lost(&silent));
                }
                return Err(EngineError::Cluster {
                    message: said!(
                        "cluster.reduce_failed",
                        "Combining the gradients of the nodes failed at exchange {exchange}: \
                         {detail}. Every node must run the same bert-studio with the same \
                         --nodes, recipe and data.",
                        exchange = self.exchanges,
                        detail = format!("{error:?}")
                    ),
                });
            }
        };
        let len = sum.dims()[0];
        let counted = sum.clone().slice(len - 1..len).into_scalar().elem::<f32>();
        if counted != self.replicas as f32 {
            return Err(EngineError::Cluster {
                message: said!(
                    "cluster.out_of_step",
                    "The devices fell out of step at exchange {exchange}: {counted} of the \
                     {replicas} took part in it. The run ends here so that no copy of the model \
                     drifts; resume it with --resume on every node.",
                    exchange = self.exchanges,
                    counted = counted,
                    replicas = self.replicas
                ),
            });
        }
        Ok(sum)
    }

    /// `sum` of a few values (the count slot added and taken off here).
    fn sum_values(&mut self, values: &[f32], cancel: &CancelToken) -> Result<Vec<f32>> {
        let mut counted = values.to_vec();
        counted.push(1.0);
        let tensor = Tensor::<B, 1>::from_floats(counted.as_slice(), &self.device);
        let mut sum = self
            .sum(tensor, cancel)?
            .into_data()
            .to_vec::<f32>()
            .unwrap_or_default();
        sum.truncate(values.len());
        Ok(sum)
    }

    /// The lead replica's answers, on every replica: for the decisions that must be taken
    /// alike everywhere (stop early, keep as the best model, saved) even where one node's own
    /// evaluation differed in the last bit.
    pub fn lead_decides<const N: usize>(
        &mut self,
        answers: [bool; N],
        cancel: &CancelToken,
    ) -> Result<[bool; N]> {
        let lead = self.leads;
        let values = answers.map(|answer| if lead && answer { 1.0f32 } else { 0.0 });
        let sum = self.sum_values(&values, cancel)?;
        Ok(std::array::from_fn(|i| sum[i] > 0.5))
    }

    /// Every replica waits here until node 0 has written a checkpoint or the model folder
    /// (`saved`: whether it could); on the others, a failed write ends the run too.
    pub fn after_lead_saved(
        &mut self,
        saved: bool,
        model_folder: bool,
        cancel: &CancelToken,
    ) -> Result<()> {
        let [saved] = self.lead_decides([saved], cancel)?;
        if saved || self.leads {
            return Ok(());
        }
        let message = if model_folder {
            said!(
                "cluster.lead_no_model",
                "Node 0 could not write the model folder; its own output says why."
            )
        } else {
            said!(
                "cluster.lead_no_checkpoint",
                "Node 0 could not write the checkpoint, so the run ends on every node; its own \
                 output says why."
            )
        };
        Err(EngineError::Cluster { message })
    }

    /// Why the wait ended: the nodes whose data service no longer answers, by name.
    fn no_answer(&self) -> EngineError {
        let seconds = self.timeout.as_secs();
        if self.one_machine {
            // Another device's thread is stuck (a GPU driver that hangs, mostly).
            return EngineError::Cluster {
                message: said!(
                    "cluster.device_stuck",
                    "The other devices did not answer within {seconds} s, so the run ends \
                     here. Resume it with --resume; if a device is only slow, raise \
                     --node-timeout.",
                    seconds = seconds
                ),
            };
        }
        if self.exchanges == 0 {
            return EngineError::Cluster {
                message: said!(
                    "cluster.not_joined",
                    "Not every node joined the run within {seconds} s. Start bert-studio on each \
                 of the {nodes} nodes with the same --nodes and --coordinator (a different \
                 --node-rank each), and let them reach the coordinator's port and the {nodes} \
                 ports after it. If node 0's name means 127.x on node 0 itself, give \
                 --coordinator as its IP address.",
                    seconds = seconds,
                    nodes = self.nodes.len()
                ),
            };
        }
        let silent = self.silent_nodes();
        if !silent.is_empty() {
            return self.nodes_lost(&silent);
        }
        EngineError::Cluster {
            message: said!(
                "cluster.no_answer",
                "The other nodes did not answer within {seconds} s (exchange {exchange}), so the \
                 run ends here. Resume it with --resume on every node once they all run again; \
                 if a node is only slow (a checkpoint on a slow disk), raise --node-timeout.",
                seconds = seconds,
                exchange = self.exchanges + 1
            ),
        }
    }

    /// The other nodes whose data service no longer accepts connections, named with it.
    fn silent_nodes(&self) -> Vec<String> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(rank, _)| *rank != self.node_rank)
            .filter_map(|(rank, address)| {
                let address = (*address)?;
                (!answers(address)).then(|| format!("node {rank} ({address})"))
            })
            .collect()
    }

    fn nodes_lost(&self, silent: &[String]) -> EngineError {
        EngineError::Cluster {
            message: said!(
                "cluster.node_lost",
                "{nodes} stopped answering, so the run ends on every node. Resume it with \
                 --resume on every node once they all run again; if the node was only slow (a \
                 checkpoint on a slow disk), raise --node-timeout (now {seconds} s).",
                nodes = silent.join(", "),
                seconds = self.timeout.as_secs()
            ),
        }
    }
}

/// burn-communication installs a stdout logger at INFO for its servers unless one is set:
/// this one says only warnings and errors, on stderr. Its tasks panic (with a backtrace)
/// when a peer vanishes: the run names the lost node itself, so those stay silent.
fn quiet_network_layer() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = tracing_subscriber::fmt()
            .with_writer(std::io::stderr)
            .with_max_level(tracing_subscriber::filter::LevelFilter::WARN)
            .try_init();
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = std::thread::current();
            if !thread.name().is_some_and(|name| name.starts_with("tokio-")) {
                previous(info);
            }
        }));
    });
}

/// Whether a node's data service still accepts connections (a few tries: it listens while
/// its replica waits in an all-reduce).
fn answers(address: SocketAddr) -> bool {
    (0..3).any(|attempt| {
        if attempt > 0 {
            std::thread::sleep(Duration::from_millis(500));
        }
        TcpStream::connect_timeout(&address, Duration::from_secs(2)).is_ok()
    })
}

/// The port must be free before burn's servers take it (they would panic on a busy one).
fn ensure_free(port: u16) -> Result<()> {
    TcpListener::bind(("0.0.0.0", port)).map(drop).map_err(|e| {
        EngineError::invalid(said!(
            "cluster.port_busy",
            "Port {port} on this machine is not free ({detail}): another run or program uses \
             it. Choose another coordinator port (node data services use the ports after it).",
            port = port,
            detail = e.to_string()
        ))
    })
}

/// burn-collective's orchestrator, on its own thread for the life of the process.
fn start_orchestrator(port: u16) {
    std::thread::Builder::new()
        .name("orchestrator".into())
        .spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .enable_all()
                .build()
                .expect("a tokio runtime starts");
            runtime.block_on(burn_collective::start_global_orchestrator(port));
        })
        .expect("a thread starts");
}

/// This machine's address as the coordinator sees it: the one its route to it leaves from
/// (a UDP socket's "connection" sends nothing).
fn own_ip(coordinator: SocketAddr) -> IpAddr {
    let unspecified: SocketAddr = if coordinator.is_ipv4() {
        ([0, 0, 0, 0], 0).into()
    } else {
        (std::net::Ipv6Addr::UNSPECIFIED, 0).into()
    };
    UdpSocket::bind(unspecified)
        .and_then(|socket| socket.connect(coordinator).map(|()| socket))
        .and_then(|socket| socket.local_addr())
        .map(|address| address.ip())
        .unwrap_or(unspecified.ip())
}

/// Every trainable parameter's gradient in one vector, in the model's order (zeros where this
/// replica has none: no rows of its own this step), followed by `extra` and `sum`'s count slot.
pub fn flatten_gradients<B: AutodiffBackend, M: AutodiffModule<B>>(
    model: &M,
    grads: &GradientsParams,
    extra: &[f32],
    device: &burn::tensor::Device<B::InnerBackend>,
) -> Tensor<B::InnerBackend, 1> {
    struct Flatten<'a, B: AutodiffBackend> {
        grads: &'a GradientsParams,
        device: &'a burn::tensor::Device<B::InnerBackend>,
        parts: Vec<Tensor<B::InnerBackend, 1>>,
    }
    impl<B: AutodiffBackend> ModuleVisitor<B> for Flatten<'_, B> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            let value = param.val();
            if !value.is_require_grad() {
                return;
            }
            let size = value.shape().num_elements();
            self.parts
                .push(match self.grads.get::<B::InnerBackend, D>(param.id) {
                    Some(grad) => grad.reshape([size]),
                    None => Tensor::zeros([size], self.device),
                });
        }
    }
    let mut visitor = Flatten::<B> {
        grads,
        device,
        parts: Vec::new(),
    };
    model.visit(&mut visitor);
    let mut tail = extra.to_vec();
    tail.push(1.0);
    visitor
        .parts
        .push(Tensor::from_floats(tail.as_slice(), device));
    Tensor::cat(visitor.parts, 0)
}

/// The gradients back from `flatten_gradients`' layout, with the `extra` values after them
/// (the count slot left out).
pub fn unflatten_gradients<B: AutodiffBackend, M: AutodiffModule<B>>(
    model: &M,
    flat: Tensor<B::InnerBackend, 1>,
) -> (GradientsParams, Vec<f32>) {
    struct Unflatten<B: AutodiffBackend> {
        flat: Tensor<B::InnerBackend, 1>,
        offset: usize,
        grads: GradientsParams,
    }
    impl<B: AutodiffBackend> ModuleVisitor<B> for Unflatten<B> {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<B, D>>) {
            let value = param.val();
            if !value.is_require_grad() {
                return;
            }
            let shape = value.shape();
            let size = shape.num_elements();
            let part = self
                .flat
                .clone()
                .slice(self.offset..self.offset + size)
                .reshape(shape);
            self.grads.register::<B::InnerBackend, D>(param.id, part);
            self.offset += size;
        }
    }
    let mut visitor = Unflatten::<B> {
        flat,
        offset: 0,
        grads: GradientsParams::new(),
    };
    model.visit(&mut visitor);
    let total = visitor.flat.dims()[0] - 1;
    let extra = visitor
        .flat
        .slice(visitor.offset..total)
        .into_data()
        .to_vec::<f32>()
        .unwrap_or_default();
    (visitor.grads, extra)
}
