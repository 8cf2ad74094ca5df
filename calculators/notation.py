r"""The site's one notation: every symbol the pages, the widgets and the docstrings use, with its one meaning.

The Notation page is generated from `symbols`, and the tests check that every symbol a widget shows and every
subscripted symbol a page or a docstring writes is listed here. The rules:

- A letter keeps one meaning everywhere; a subscript or superscript names a variant of that meaning ($T$ tokens in
  a sequence, $T_\text{train}$ training tokens). Case matters ($d$ a head dimension, $D$ the model width).
- **Bold** letters are vectors ($\mathbf{h}_t$, one per token); plain letters are numbers.
- Where a paper writes a different letter, the meaning says so: DeepSeek writes $n_h$ for our $H$.
- Words in upright type are symbols too: $\text{bits}$, $\text{GPU-hours}$, $\text{USD}$.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GROUPS", "Symbol", "symbols"]

GROUPS = (
    "The model",
    "Mixture of Experts",
    "Memory",
    "Compute, time and money",
    "Owning GPUs",
    "Serving (reserved for the serving and API-price pages)",
    "Reinforcement learning",
)
"""The sections of the Notation page, in order."""


@dataclass(frozen=True, kw_only=True)
class Symbol:
    r"""One symbol: `tex` as formulas write it (several forms of one family are separated by ", "), `plain` as a
    widget label writes it (empty if no widget shows it), its `meaning`, `unit`, the Hugging Face `config.json`
    `key` it is read from (if any), and its `group` (a member of `GROUPS`). `free_subscripts` marks a letter whose
    subscripts name what it measures ($C_\text{attn}$, $M_\text{KV}$): any subscript is allowed.

    `meaning` is Markdown; its formulas are written \( ... \), never with dollar signs (a page escapes those).
    """

    tex: str
    meaning: str
    group: str
    plain: str = ""
    unit: str = ""
    key: str = ""
    free_subscripts: bool = False

    @property
    def forms(self) -> tuple[str, ...]:
        """Each TeX form of the family: ``"T_p, T_r"`` -> ``("T_p", "T_r")``."""
        return tuple(form.strip() for form in self.tex.split(", "))


def symbols() -> tuple[Symbol, ...]:
    r"""Every symbol of the site, by group, in the order the Notation page lists them.

    Examples:
        >>> by_tex = {form: s for s in symbols() for form in s.forms}
        >>> by_tex["D"].meaning, by_tex[r"T_\text{train}"].meaning
        ('model width (hidden size)', 'tokens trained on')
    """
    model, moe, memory, compute, owning, serving, rl = GROUPS
    return (
        # The model
        Symbol(tex="L", plain="L", group=model, key="`num_hidden_layers`", meaning="transformer layers"),
        Symbol(tex=r"L_\text{MoE}, L_\text{dense}", plain="L_dense", group=model,
               key="`first_k_dense_replace`, `moe_layer_freq`",
               meaning="layers with experts, and layers with a dense MLP"),
        Symbol(tex=r"L_\text{win}", plain="L_win", group=model, key="`layer_types`, `sliding_window_pattern`",
               meaning=r"layers with a window: they keep and attend to at most \(T_\text{win}\) tokens (counted "
                       r"among the \(L\) layers that keep a KV cache)"),
        Symbol(tex=r"L_\text{linear}", plain="L_linear", group=model, key="`layer_types`, `attn_type_list`",
               meaning=r"linear-attention layers: a fixed state of \(H d^2\) numbers per sequence instead of a KV "
                       "cache (MiniMax's lightning attention)"),
        Symbol(tex="D", plain="D", group=model, key="`hidden_size`", meaning="model width (hidden size)"),
        Symbol(tex="H", plain="H", group=model, key="`num_attention_heads`",
               meaning=r"attention (query) heads; DeepSeek's papers write \(n_h\)"),
        Symbol(tex=r"K, K_\text{eq}", plain="K", group=model, key="`num_key_value_heads`",
               meaning=r"key/value heads of GQA (DeepSeek-V2 writes \(n_g\), groups); \(K_\text{eq}\) those of the "
                       "GQA that would cache as much as another attention"),
        Symbol(tex="d", plain="d", group=model, key="`head_dim`, else \\(D/H\\); MLA: `qk_nope_head_dim`",
               meaning=r"dimension of one head; for MLA the part without RoPE (DeepSeek's \(d_h\))"),
        Symbol(tex="d_{qk}, d_v", group=model, key="`v_head_dim`",
               meaning=r"query/key and value dimensions of a head where they differ (MLA: \(d_{qk} = d + d_h^R\))"),
        Symbol(tex="d_c", plain="d_c", group=model, key="`kv_lora_rank`",
               meaning="MLA: dimension of the compressed key-value latent"),
        Symbol(tex="d_c'", group=model, key="`q_lora_rank`", meaning="MLA: dimension of the compressed query"),
        Symbol(tex="d_h^R", plain="d_h^R", group=model, key="`qk_rope_head_dim`",
               meaning="MLA: dimension of the decoupled RoPE key, shared by all heads"),
        Symbol(tex="V", plain="V", group=model, key="`vocab_size`", unit="tokens", meaning="vocabulary size"),
        Symbol(tex="F", plain="F", group=model, key="`intermediate_size`", meaning="width of a dense MLP"),
        Symbol(tex="N", plain="N", group=model, unit="parameters", free_subscripts=True,
               meaning=r"parameters: all of a model's weights, every expert included. A subscript names a part "
                       r"(\(N_\text{attn}\) one layer's attention, \(N_\text{shared}\), \(N_\text{router}\)) or "
                       r"another model (\(N_v\) the value model, \(N_\text{rm}\) a reward model)"),
        Symbol(tex=r"N_\text{routed}", plain="N_routed", group=model, unit="parameters",
               meaning=r"the routed experts' parameters, all layers (zero for a dense model); a token uses \(k/E\) "
                       r"of them. \(N_\text{dense}\) is what every token uses besides"),
        Symbol(tex=r"N_\text{active}", plain="N_active", group=model, unit="parameters",
               meaning=r"parameters one token multiplies by: the non-expert weights, the shared experts and "
                       r"\(k\) of the \(E\) routed experts, **without the token-embedding table** (a lookup, not "
                       r"a product; the output head stays, it is a product). This is the \(N\) of the \(6N\) rule "
                       r"everywhere on the site. Kaplan et al.'s \(N\) also leaves out the embeddings; DeepSeek's "
                       r"“37B activated” for DeepSeek-V3 is this count, rounded"),
        Symbol(tex="T", plain="T", group=model, unit="tokens", free_subscripts=True,
               meaning=r"tokens of one sequence: the context length (prompt and generated tokens). In training, "
                       r"the sequence length; a token then attends to \(T/2\) earlier ones on average. A "
                       r"subscript names other token counts (below)"),
        Symbol(tex=r"T_\text{train}", plain="T_train", group=model, unit="tokens", meaning="tokens trained on"),
        Symbol(tex=r"T_\text{win}", plain="T_win", group=model, unit="tokens", key="`sliding_window`, "
               "`attention_chunk_size`", meaning="tokens a windowed layer keeps and attends to: its sliding window, "
               "or its chunk (Llama 4)"),
        Symbol(tex=r"T_\text{max}", group=model, unit="tokens",
               meaning="tokens whose KV cache fits in the memory left after the weights"),
        Symbol(tex=r"B, B_\text{max}, B_\text{GPU}", plain="B", group=model, unit="sequences",
               meaning=r"batch size: sequences processed together; the largest that fits in memory; the sequences "
                       "whose attention one GPU runs"),
        Symbol(tex=r"B^*, B^*_\text{MoE}", group=model, unit="tokens per step",
               meaning=r"tokens a step must multiply a weight matrix by to be compute-bound, for a dense matrix and "
                       r"for the experts of an MoE layer (\(E/k\) times more)"),
        Symbol(tex=r"T_p", plain="T_p", group=model, unit="tokens",
               meaning="prompt tokens: of a request, or the mean prompt of an RL step"),
        Symbol(tex=r"T_r", plain="T_r", group=model, unit="tokens",
               meaning=r"answer (response) tokens: of a request, or the mean answer of an RL step; where thinking "
                       r"is counted apart (API prices), the visible answer and \(T_\text{think}\) the thinking"),
        Symbol(tex=r"\text{bits}", group=model, unit="bits",
               meaning="bits per stored number (a weight, a cache element)"),
        Symbol(tex=r"W", group=model, meaning=r"a weight matrix, named by its sub- or superscript (\(W^{DKV}\), "
                                               r"\(W^{UK}\), \(W_Q\), \(W^O\))"),
        Symbol(tex=r"\mathbf{h}_t", group=model,
               meaning=r"hidden state of token \(t\) entering attention or the FFN (DeepSeek-V3 writes "
                       r"\(\mathbf{u}_t\) for the FFN's input)"),
        Symbol(tex=r"\mathbf{c}^{KV}_t", group=model,
               meaning=r"MLA: the latent token \(t\) caches, of dimension \(d_c\)"),
        Symbol(tex=r"\mathbf{k}^C_t, \mathbf{v}^C_t, \mathbf{k}^R_t", group=model,
               meaning=r"MLA: keys and values projected up from \(\mathbf{c}^{KV}_t\), and the decoupled RoPE key"),
        Symbol(tex=r"e, e_\text{MHA}, e_\text{GQA}, e_\text{MQA}, e_\text{MLA}", group=model, unit="elements",
               meaning="key-value cache elements one layer stores per token, for each kind of attention"),
        # Mixture of Experts
        Symbol(tex="E", plain="E", group=moe, key="`n_routed_experts`, `num_local_experts`, `num_experts`",
               meaning=r"routed experts per MoE layer (DeepSeek's \(N_r\))"),
        Symbol(tex=r"E_\text{red}", plain="E_red", group=moe, unit="experts per layer",
               meaning="redundant copies of popular experts a deployment adds (DeepSeek: 32)"),
        Symbol(tex=r"E_\text{touched}", group=moe, unit="experts",
               meaning="distinct routed experts a step's tokens choose in one layer (uniform routing)"),
        Symbol(tex="E_s", plain="E_s", group=moe, key="`n_shared_experts`",
               meaning=r"shared experts every token uses (DeepSeek's \(N_s\))"),
        Symbol(tex="k", plain="k", group=moe, key="`num_experts_per_tok`",
               meaning=r"routed experts each token uses (DeepSeek's \(K_r\))"),
        Symbol(tex="F_e", plain="F_e", group=moe, key="`moe_intermediate_size`",
               meaning="width of one expert's MLP"),
        Symbol(tex="F_s", group=moe, key="`shared_expert_intermediate_size`",
               meaning=r"total width of the shared MLP (\(E_s F_e\) for DeepSeekMoE)"),
        Symbol(tex=r"n_\text{group}", plain="n_group", group=moe, key="`n_group`",
               meaning="groups the routed experts are split into, one per node in DeepSeek-V3"),
        Symbol(tex=r"k_\text{group}", plain="k_group", group=moe, key="`topk_group`",
               meaning=r"groups a token's experts may come from: DeepSeek-V3's node limit \(M\) (V2 limits "
                       r"devices the same way)"),
        Symbol(tex="m", group=moe, meaning="DeepSeekMoE's fine-grained split: each expert cut into this many"),
        Symbol(tex=r"\mathbf{e}_i", group=moe, meaning=r"centroid of routed expert \(i\): its router weights"),
        Symbol(tex="s_{i,t}", group=moe,
               meaning=r"affinity of token \(t\) for expert \(i\): \(\mathrm{sigmoid}(\mathbf{h}_t^\top "
                       r"\mathbf{e}_i)\) in DeepSeek-V3"),
        Symbol(tex="z_{i,t}, \\mu_i", group=moe,
               meaning=r"the routing demo's random logits (\(s_{i,t} = \mathrm{sigmoid}(z_{i,t})\)) and their "
                       r"mean for expert \(i\)"),
        Symbol(tex="g_{i,t}", group=moe, meaning=r"gate weight of expert \(i\) for token \(t\), zero unless chosen"),
        Symbol(tex="b_i", group=moe, meaning=r"balancing bias of expert \(i\): it steers the choice, not the gate"),
        Symbol(tex=r"\eta", plain="η", group=moe, meaning=r"bias update speed (DeepSeek-V3's \(\gamma\))"),
        Symbol(tex=r"\alpha", group=moe, meaning="weight of DeepSeek-V3's small sequence-wise balance loss"),
        # Memory
        Symbol(tex="r_M", plain="r_M", group=memory, unit="fraction",
               meaning="memory reserve: the share of each accelerator's memory kept free of the state being placed "
                       "(activations, the KV cache, the runtime)"),
        Symbol(tex="M", group=memory, unit="bytes", free_subscripts=True,
               meaning=r"memory, in bytes; the subscript says of what: \(M_\text{KV}\) the KV cache, "
                       r"\(M_\text{token}\) its size per token, \(M_\text{seq}\) one sequence's (windowed and "
                       r"linear layers included), \(M_W\) the weights, \(M_\text{free}\) what is "
                       r"left after them, \(M_\text{param}\) the training state per parameter"),
        Symbol(tex=r"M_\text{GPU}", plain="M_GPU", group=memory, unit="bytes", meaning="one accelerator's memory"),
        # Compute, time and money
        Symbol(tex="C", group=compute, unit="FLOP", free_subscripts=True,
               meaning=r"floating-point operations: of a run, a step or one token (\(C_\text{token}\)), or of "
                       r"a part (\(C_\text{forward}\), \(C_\text{attn}\), \(C_\text{gen}\))"),
        Symbol(tex="P", plain="P", group=compute, unit="FLOP/s",
               meaning="peak dense throughput of one accelerator at a precision (datasheets print twice this "
                       "\"with sparsity\")"),
        Symbol(tex=r"P_\text{attn}", plain="P_attn", group=compute, unit="FLOP/s",
               meaning=r"the peak the attention core (scores and weighted values) runs at, when it differs from "
                       r"\(P\) (BF16 in DeepSeek's FP8 service)"),
        Symbol(tex=r"\mathrm{MFU}, \mathrm{MFU}_\text{gen}, \mathrm{MFU}_\text{train}", plain="MFU", group=compute,
               unit="fraction",
               meaning=r"model FLOPs utilisation: the share of \(P\) the model's own arithmetic achieves; of "
                       "generation, and of training and scoring"),
        Symbol(tex=r"\text{GPU-hours}", plain="GPU-hours", group=compute, unit="hours",
               meaning="accelerator time: GPUs × hours"),
        Symbol(tex=r"\text{hours}", group=compute, unit="hours", meaning="wall-clock time"),
        Symbol(tex=r"n_\text{GPU}", plain="n_GPU", group=compute, meaning="GPUs (accelerators) working together"),
        Symbol(tex=r"p_\text{GPU}", plain="p_GPU", group=compute, unit="USD per GPU-hour",
               meaning="rental price of one GPU-hour"),
        Symbol(tex=r"\text{USD}", group=compute, unit="USD", free_subscripts=True,
               meaning=r"a cost in US dollars; a subscript says of what (below, and \(\text{USD}_\text{request}\), "
                       r"\(\text{USD}_\text{day}\), \(\text{USD}_\text{month}\), \(\text{USD}_\text{revenue}\), "
                       r"\(\text{USD}_\text{cost}\) on the serving and API-price pages)"),
        # Owning GPUs
        Symbol(tex=r"\text{USD}_\text{cap}", plain="USD_cap", group=owning, unit="USD",
               meaning="capital per GPU: the GPU and its share of server, network and building"),
        Symbol(tex=r"\text{USD}_\text{fixed}", plain="USD_fixed", group=owning, unit="USD per year",
               meaning="fixed costs per GPU and year: maintenance, space, support"),
        Symbol(tex=r"\text{USD}_\text{power}", group=owning, unit="USD per GPU-hour",
               meaning="electricity per hour of use"),
        Symbol(tex=r"\text{USD}_\text{owned}", group=owning, unit="USD per GPU-hour",
               meaning="what an owned GPU costs per hour of use"),
        Symbol(tex=r"\kappa", plain="κ", group=owning, unit="per year",
               meaning="cost of capital: interest paid, or return forgone, on the money"),
        Symbol(tex="Y", plain="Y", group=owning, unit="years",
               meaning="years: over which the capital is written off; for price trends, of decline"),
        Symbol(tex=r"\mathrm{CRF}", group=owning, unit="per year",
               meaning=r"capital recovery factor: the share of the capital paid each year to repay it with "
                       r"interest, \(\kappa(1+\kappa)^Y / ((1+\kappa)^Y - 1)\)"),
        Symbol(tex="u, u^*", plain="u", group=owning, unit="fraction",
               meaning="utilisation: the share of the year a GPU does paid-for work; the break-even one"),
        Symbol(tex=r"\text{watts}", plain="watts", group=owning, unit="W",
               meaning="electric power drawn per GPU, its share of the server included"),
        Symbol(tex=r"\mathrm{PUE}", plain="PUE", group=owning,
               meaning="power usage effectiveness: facility energy over IT energy"),
        Symbol(tex=r"p_\text{kWh}", plain="p_kWh", group=owning, unit="USD per kWh", meaning="electricity price"),
        # Serving
        Symbol(tex=r"\mathrm{BW}", plain="BW", group=serving, unit="bytes/s",
               meaning="memory bandwidth of one accelerator"),
        Symbol(tex=r"\mathrm{MBU}", group=serving, unit="fraction",
               meaning=r"memory bandwidth utilisation: the share of \(\mathrm{BW}\) decoding achieves"),
        Symbol(tex=r"\tau, \tau_\text{all}, \tau_\text{user}", plain="τ", group=serving, unit="tokens/s",
               meaning="throughput: tokens per second per GPU (output tokens in decode, generated tokens in RL); of "
                       "all the GPUs of a replica or node together; of one sequence (the speed its reader sees)"),
        Symbol(tex=r"\ell_\text{step}, \ell_\text{mem}, \ell_\text{compute}, \ell_0, \ell_\text{measured}",
               plain="ℓ_0", group=serving, unit="seconds",
               meaning="time of one decode step, and its parts: reading memory, computing, a fixed overhead; the "
                       "step a measured throughput implies"),
        Symbol(tex=r"n_\text{TP}, n_\text{DP}, n_\text{shard}", group=serving,
               meaning=r"GPUs the non-expert weights are split over (1 under data-parallel attention); groups that "
                       r"each hold whole sequences; parts one sequence's cache is split into by heads, "
                       r"\(\min(n_\text{GPU}, K)\)"),
        Symbol(tex=r"T_\text{step}", group=serving, unit="tokens",
               meaning=r"tokens a sequence gains per decode step: 1, or \(1 + a\) with one speculative draft"),
        Symbol(tex=r"n_\text{draft}", group=serving, meaning="drafted tokens a step verifies per sequence (MTP: 1)"),
        Symbol(tex=r"T_\text{expert}", group=serving, unit="tokens",
               meaning="token-expert pairs one GPU computes per step under expert parallelism"),
        Symbol(tex="a", plain="a", group=serving, unit="fraction",
               meaning="speculative decoding's acceptance rate: the share of drafted tokens kept (DeepSeek-V3's "
                       "second-token prediction: 85% to 90%)"),
        Symbol(tex=r"p_0, p_Y, p_\text{target}", group=serving, unit="USD per million tokens",
               meaning=r"a price today, after \(Y\) years of decline, and a target price (price trends)"),
        Symbol(tex="f", group=serving, unit="per year",
               meaning=r"the factor a price falls by each year (\(p_Y = p_0 / f^Y\))"),
        Symbol(tex=r"p_\text{in}, p_\text{hit}, p_\text{out}", group=serving, unit="USD per million tokens",
               meaning="per million tokens: input (cache miss), input found in the cache, output (thinking "
                       "included). An API's list prices, or (serving page) what the tokens cost to make"),
        Symbol(tex="p_A, p_B", group=serving, unit="USD per million tokens",
               meaning="the same price of two models compared"),
        Symbol(tex=r"T_\text{hit}", group=serving, unit="tokens",
               meaning=r"prompt tokens served from the provider's cache (of the \(T_p\))"),
        Symbol(tex=r"T_\text{think}", group=serving, unit="tokens",
               meaning="thinking (reasoning) tokens, billed as output"),
        Symbol(tex=r"n_\text{req}", group=serving, unit="requests per day", meaning="requests a day"),
        # Reinforcement learning
        Symbol(tex=r"\pi_\theta, \pi_{\theta_\text{old}}, \pi_\text{ref}", group=rl,
               meaning="the policy being trained, the policy that sampled the answers, the frozen reference model"),
        Symbol(tex=r"v_\psi, v_t", group=rl,
               meaning=r"PPO's value model (the critic), and its estimate at token \(t\)"),
        Symbol(tex=r"r_\phi, r_i, r_t, \mathbf{r}", group=rl,
               meaning=r"a reward model; the reward of answer \(i\); PPO's reward at token \(t\); a group's "
                       "rewards together"),
        Symbol(tex=r"\bar r, \sigma", group=rl,
               meaning="mean and standard deviation of a group's rewards"),
        Symbol(tex=r"\zeta", plain="ζ", group=rl,
               meaning=r"small constant implementations add to \(\sigma\) (not in the paper)"),
        Symbol(tex="q, o_i, o_{i,t}", group=rl,
               meaning=r"a question (prompt); answer \(i\), \(\lvert o_i \rvert\) tokens long; its token \(t\)"),
        Symbol(tex="G", plain="G", group=rl, unit="answers", meaning="answers sampled per question (the group)"),
        Symbol(tex="S", group=rl, unit="answers", meaning=r"answers in one RL step: questions \(\times G\)"),
        Symbol(tex=r"T_\text{gen}", group=rl, unit="tokens", meaning="tokens generated (a step's or a run's answers)"),
        Symbol(tex=r"A_i, \hat A_{i,t}", group=rl, meaning=r"advantage of answer \(i\), of its token \(t\)"),
        Symbol(tex=r"\rho_{i,t}", plain="ρ", group=rl,
               meaning="probability ratio of a token, new policy over the one that sampled it"),
        Symbol(tex=r"\varepsilon", plain="ε", group=rl, meaning="PPO's and GRPO's clip range"),
        Symbol(tex=r"\beta", plain="β", group=rl, meaning="KL coefficient"),
        Symbol(tex=r"\mathbb{D}_\text{KL}", group=rl,
               meaning=r"KL divergence; \(\hat{\mathbb{D}}_\text{KL}\) its estimate"),
        Symbol(tex=r"\mathcal{J}", group=rl, meaning="the objective the policy maximises"),
        Symbol(tex=r"\gamma, \lambda, \delta_t", group=rl,
               meaning="GAE's discount and trace parameters, and the TD residual at token t"),
        Symbol(tex=r"n_\text{ep}", plain="n_ep", group=rl, meaning="training passes over each sample (inner epochs)"),
    )
