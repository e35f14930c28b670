//! The fused operations under `Autodiff`: each is one node of the graph whose backward step
//! calls the inner backend's fused gradient (the pattern of burn's `custom-cubecl-kernel`
//! example). What the gradient needs is kept in the node's state, computed once by the forward.

use burn::backend::Autodiff;
use burn::backend::autodiff::NodeId;
use burn::backend::autodiff::checkpoint::base::Checkpointer;
use burn::backend::autodiff::checkpoint::strategy::CheckpointStrategy;
use burn::backend::autodiff::grads::Gradients;
use burn::backend::autodiff::ops::{Backward, Ops, OpsKind};
use burn::tensor::ops::FloatTensor;

use super::FusedOps;

/// Registers the gradients of x·W (+ b) for the parents that are tracked.
fn linear_gradients<B: FusedOps>(
    [x_node, weight_node]: [Option<NodeId>; 2],
    bias_node: Option<NodeId>,
    (x, weight): (FloatTensor<B>, FloatTensor<B>),
    grad: FloatTensor<B>,
    grads: &mut Gradients,
) {
    if let Some(node) = bias_node {
        grads.register::<B>(node, B::sum_rows(grad.clone()));
    }
    let want = (x_node.is_some(), weight_node.is_some());
    let (d_x, d_weight) = B::linear_rows_backward(x, weight, grad, want);
    if let (Some(node), Some(d_x)) = (x_node, d_x) {
        grads.register::<B>(node, d_x);
    }
    if let (Some(node), Some(d_weight)) = (weight_node, d_weight) {
        grads.register::<B>(node, d_weight);
    }
}

impl<B: FusedOps, C: CheckpointStrategy> FusedOps for Autodiff<B, C> {
    fn bias_gelu(x: FloatTensor<Self>, bias: FloatTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct BiasGelu;

        impl<B: FusedOps> Backward<B, 2> for BiasGelu {
            type State = (FloatTensor<B>, FloatTensor<B>);

            fn backward(
                self,
                ops: Ops<Self::State, 2>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let (x, bias) = ops.state;
                let grad = grads.consume::<B>(&ops.node);
                let d_x = B::bias_gelu_backward(x, bias, grad);
                let [x_node, bias_node] = ops.parents;
                if let Some(node) = bias_node {
                    grads.register::<B>(node.id, B::sum_rows(d_x.clone()));
                }
                if let Some(node) = x_node {
                    grads.register::<B>(node.id, d_x);
                }
            }
        }

        match BiasGelu
            .prepare::<C>([x.node.clone(), bias.node.clone()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let out = B::bias_gelu(x.primitive.clone(), bias.primitive.clone());
                prep.finish((x.primitive, bias.primitive), out)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::bias_gelu(x.primitive, bias.primitive)),
        }
    }

    fn linear_rows(
        x: FloatTensor<Self>,
        weight: FloatTensor<Self>,
        bias: Option<FloatTensor<Self>>,
    ) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct Product;
        #[derive(Debug)]
        struct ProductAndBias;
        /// (x, W)
        type State<B> = (FloatTensor<B>, FloatTensor<B>);

        impl<B: FusedOps> Backward<B, 2> for Product {
            type State = State<B>;

            fn backward(self, ops: Ops<State<B>, 2>, grads: &mut Gradients, _: &mut Checkpointer) {
                let grad = grads.consume::<B>(&ops.node);
                let parents = ops.parents.map(|node| node.map(|n| n.id));
                linear_gradients::<B>(parents, None, ops.state, grad, grads);
            }
        }

        impl<B: FusedOps> Backward<B, 3> for ProductAndBias {
            type State = State<B>;

            fn backward(self, ops: Ops<State<B>, 3>, grads: &mut Gradients, _: &mut Checkpointer) {
                let grad = grads.consume::<B>(&ops.node);
                let [x_node, weight_node, bias_node] = ops.parents.map(|node| node.map(|n| n.id));
                linear_gradients::<B>([x_node, weight_node], bias_node, ops.state, grad, grads);
            }
        }

        let state = (x.primitive.clone(), weight.primitive.clone());
        match bias {
            None => match Product
                .prepare::<C>([x.node.clone(), weight.node.clone()])
                .compute_bound()
                .stateful()
            {
                OpsKind::Tracked(prep) => {
                    prep.finish(state, B::linear_rows(x.primitive, weight.primitive, None))
                }
                OpsKind::UnTracked(prep) => {
                    prep.finish(B::linear_rows(x.primitive, weight.primitive, None))
                }
            },
            Some(bias) => match ProductAndBias
                .prepare::<C>([x.node.clone(), weight.node.clone(), bias.node.clone()])
                .compute_bound()
                .stateful()
            {
                OpsKind::Tracked(prep) => prep.finish(
                    state,
                    B::linear_rows(x.primitive, weight.primitive, Some(bias.primitive)),
                ),
                OpsKind::UnTracked(prep) => prep.finish(B::linear_rows(
                    x.primitive,
                    weight.primitive,
                    Some(bias.primitive),
                )),
            },
        }
    }

    fn batch_matmul(a: FloatTensor<Self>, b: FloatTensor<Self>) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct BatchMatmul;

        impl<B: FusedOps> Backward<B, 2> for BatchMatmul {
            /// (a, b)
            type State = (FloatTensor<B>, FloatTensor<B>);

            fn backward(
                self,
                ops: Ops<Self::State, 2>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let grad = grads.consume::<B>(&ops.node);
                let [a_node, b_node] = ops.parents;
                let (a, b) = ops.state;
                // d(a·b)/da = grad·bᵀ, d(a·b)/db = aᵀ·grad, at the same precision.
                if let Some(node) = a_node {
                    let d_a = B::batch_matmul(grad.clone(), B::float_swap_dims(b, 2, 3));
                    grads.register::<B>(node.id, d_a);
                }
                if let Some(node) = b_node {
                    grads
                        .register::<B>(node.id, B::batch_matmul(B::float_swap_dims(a, 2, 3), grad));
                }
            }
        }

        match BatchMatmul
            .prepare::<C>([a.node.clone(), b.node.clone()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let state = (a.primitive.clone(), b.primitive.clone());
                prep.finish(state, B::batch_matmul(a.primitive, b.primitive))
            }
            OpsKind::UnTracked(prep) => prep.finish(B::batch_matmul(a.primitive, b.primitive)),
        }
    }

    fn residual_layer_norm(
        x: FloatTensor<Self>,
        residual: FloatTensor<Self>,
        gamma: FloatTensor<Self>,
        beta: FloatTensor<Self>,
        eps: f64,
    ) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct ResidualLayerNorm;

        impl<B: FusedOps> Backward<B, 4> for ResidualLayerNorm {
            /// (normalised rows, 1/σ per row, γ)
            type State = (FloatTensor<B>, FloatTensor<B>, FloatTensor<B>);

            fn backward(
                self,
                ops: Ops<Self::State, 4>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let (normalized, rstd, gamma) = ops.state;
                let grad = grads.consume::<B>(&ops.node);
                let (d_input, d_gamma, d_beta) =
                    B::residual_layer_norm_backward(normalized, rstd, gamma, grad);
                let [x_node, residual_node, gamma_node, beta_node] = ops.parents;
                if let Some(node) = gamma_node {
                    grads.register::<B>(node.id, d_gamma);
                }
                if let Some(node) = beta_node {
                    grads.register::<B>(node.id, d_beta);
                }
                match (x_node, residual_node) {
                    (Some(x), Some(r)) => {
                        grads.register::<B>(r.id, d_input.clone());
                        grads.register::<B>(x.id, d_input);
                    }
                    (Some(node), None) | (None, Some(node)) => {
                        grads.register::<B>(node.id, d_input)
                    }
                    (None, None) => {}
                }
            }
        }

        let nodes = [
            x.node.clone(),
            residual.node.clone(),
            gamma.node.clone(),
            beta.node.clone(),
        ];
        match ResidualLayerNorm
            .prepare::<C>(nodes)
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let (out, normalized, rstd) = B::residual_layer_norm_saving(
                    x.primitive,
                    residual.primitive,
                    gamma.primitive.clone(),
                    beta.primitive,
                    eps,
                );
                prep.finish((normalized, rstd, gamma.primitive), out)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::residual_layer_norm(
                x.primitive,
                residual.primitive,
                gamma.primitive,
                beta.primitive,
                eps,
            )),
        }
    }

    fn attention_softmax(
        scores: FloatTensor<Self>,
        key_bias: FloatTensor<Self>,
        scale: f64,
    ) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct AttentionSoftmax;

        impl<B: FusedOps> Backward<B, 1> for AttentionSoftmax {
            /// (probabilities, scale)
            type State = (FloatTensor<B>, f64);

            fn backward(
                self,
                ops: Ops<Self::State, 1>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let (probs, scale) = ops.state;
                let grad = grads.consume::<B>(&ops.node);
                let [scores_node] = ops.parents;
                if let Some(node) = scores_node {
                    grads.register::<B>(node.id, B::attention_softmax_backward(probs, grad, scale));
                }
            }
        }

        // The key bias is data (the padding mask), never trained: only the scores are a parent.
        match AttentionSoftmax
            .prepare::<C>([scores.node.clone()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let probs = B::attention_softmax(scores.primitive, key_bias.primitive, scale);
                prep.finish((probs.clone(), scale), probs)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::attention_softmax(
                scores.primitive,
                key_bias.primitive,
                scale,
            )),
        }
    }

    fn has_seeded_dropout() -> bool {
        B::has_seeded_dropout()
    }

    fn seeded_dropout(x: FloatTensor<Self>, prob: f64, seed: u64) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct SeededDropout;

        impl<B: FusedOps> Backward<B, 1> for SeededDropout {
            /// (prob, seed): the gradient is the same masking, regenerated.
            type State = (f64, u64);

            fn backward(
                self,
                ops: Ops<Self::State, 1>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let (prob, seed) = ops.state;
                let grad = grads.consume::<B>(&ops.node);
                let [x_node] = ops.parents;
                if let Some(node) = x_node {
                    grads.register::<B>(node.id, B::seeded_dropout(grad, prob, seed));
                }
            }
        }

        match SeededDropout
            .prepare::<C>([x.node.clone()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                prep.finish((prob, seed), B::seeded_dropout(x.primitive, prob, seed))
            }
            OpsKind::UnTracked(prep) => prep.finish(B::seeded_dropout(x.primitive, prob, seed)),
        }
    }

    fn has_native_attention() -> bool {
        B::has_native_attention()
    }

    fn attention_core(
        qkv: FloatTensor<Self>,
        key_bias: FloatTensor<Self>,
        heads: usize,
        prob: f64,
        seed: u64,
    ) -> FloatTensor<Self> {
        #[derive(Debug)]
        struct Attention;

        impl<B: FusedOps> Backward<B, 1> for Attention {
            /// (qkv, probabilities before dropout, heads, dropout prob, dropout seed)
            type State = (FloatTensor<B>, FloatTensor<B>, usize, f64, u64);

            fn backward(
                self,
                ops: Ops<Self::State, 1>,
                grads: &mut Gradients,
                _: &mut Checkpointer,
            ) {
                let (qkv, probs, heads, prob, seed) = ops.state;
                let grad = grads.consume::<B>(&ops.node);
                let [qkv_node] = ops.parents;
                if let Some(node) = qkv_node {
                    let d_qkv = B::attention_core_backward(qkv, probs, grad, heads, prob, seed);
                    grads.register::<B>(node.id, d_qkv);
                }
            }
        }

        // The key bias is data (the padding mask), never trained: only qkv is a parent.
        match Attention
            .prepare::<C>([qkv.node.clone()])
            .compute_bound()
            .stateful()
        {
            OpsKind::Tracked(prep) => {
                let (context, probs) = B::attention_core_saving(
                    qkv.primitive.clone(),
                    key_bias.primitive,
                    heads,
                    prob,
                    seed,
                );
                prep.finish((qkv.primitive, probs, heads, prob, seed), context)
            }
            OpsKind::UnTracked(prep) => prep.finish(B::attention_core(
                qkv.primitive,
                key_bias.primitive,
                heads,
                prob,
                seed,
            )),
        }
    }
}
