// Curated word lists for the demo catalog: a two-level topic tree whose every leaf carries the
// phrases its papers are written from, and the name pools authors and users are drawn from.
// Phrases are lower case (acronyms aside): text.ts capitalises them for titles and sentences.

export interface Subfield {
  readonly name: string;
  /** What papers on this topic set out to do. */
  readonly tasks: readonly string[];
  readonly benchmarks: readonly string[];
  /** Overrides the field's metrics when the topic has its own. */
  readonly metrics?: readonly string[];
  /** Overrides the field's arXiv categories. */
  readonly categories?: readonly string[];
}

export interface Field {
  readonly name: string;
  /** arXiv primary categories its papers are filed under; repeats weigh the draw. */
  readonly categories: readonly string[];
  /** Where its papers say they were accepted (the arXiv comment). */
  readonly venues: readonly string[];
  /** Plural noun phrase for "Can {models} ...?" and "... in {models}" titles. */
  readonly models: readonly string[];
  readonly techniques: readonly string[];
  /** Completes "However, existing methods ...". */
  readonly limitations: readonly string[];
  /** Middle parts of method names: Omni + Gen + -R1. */
  readonly stems: readonly string[];
  /** Plural of what a benchmark of this field holds ("image-text pairs"). */
  readonly data: readonly string[];
  readonly metrics: readonly string[];
  /** Root topics are listed most popular first; so are their subfields. */
  readonly subfields: readonly Subfield[];
}

export const FIELDS: readonly Field[] = [
  {
    name: 'Computer Vision',
    categories: ['cs.CV', 'cs.CV', 'cs.CV', 'cs.CV', 'cs.LG', 'cs.GR'],
    venues: ['CVPR', 'ICCV', 'ECCV', 'NeurIPS', 'ICLR', 'SIGGRAPH'],
    models: ['diffusion models', 'vision transformers', 'visual foundation models', 'image generators'],
    techniques: ['diffusion transformers', 'flow matching', 'masked autoencoding', 'latent diffusion', 'Gaussian splatting', 'consistency distillation', 'visual tokenization', 'classifier-free guidance'],
    limitations: ['struggle to preserve fine-grained details at high resolution', 'require hundreds of denoising steps at inference time', 'generalize poorly beyond the categories seen during training', 'rely on dense pixel-level annotations that are expensive to collect', 'produce temporally inconsistent results'],
    stems: ['Gen', 'Diff', 'Pix', 'Vis', 'Seg', 'Det', 'Splat', 'Flow', 'Paint'],
    data: ['images', 'image-text pairs', 'annotated scenes', 'video clips'],
    metrics: ['FID', 'mIoU', 'AP', 'PSNR'],
    subfields: [
      { name: 'Image Generation', tasks: ['text-to-image generation', 'high-resolution image synthesis', 'subject-driven image generation', 'layout-guided image generation'], benchmarks: ['GenEval', 'T2I-CompBench', 'DPG-Bench', 'MS-COCO'], metrics: ['FID', 'CLIP score', 'GenEval score'] },
      { name: 'Video Generation', tasks: ['text-to-video generation', 'image-to-video generation', 'long video synthesis', 'camera-controlled video generation'], benchmarks: ['VBench', 'UCF-101', 'EvalCrafter'], metrics: ['FVD', 'VBench score'] },
      { name: '3D Vision', categories: ['cs.CV', 'cs.CV', 'cs.GR'], tasks: ['novel view synthesis', '3D scene reconstruction', 'text-to-3D generation', 'single-image 3D reconstruction'], benchmarks: ['ScanNet', 'Objaverse', 'Mip-NeRF 360', 'DTU'], metrics: ['PSNR', 'Chamfer distance', 'SSIM'] },
      { name: 'Image Editing', tasks: ['instruction-based image editing', 'image inpainting', 'style transfer', 'image restoration'], benchmarks: ['MagicBrush', 'EditBench', 'PIE-Bench'] },
      { name: 'Object Detection', tasks: ['open-vocabulary object detection', 'small object detection', 'real-time object detection'], benchmarks: ['COCO', 'LVIS', 'Objects365'], metrics: ['AP', 'AP50'] },
      { name: 'Image Segmentation', tasks: ['open-vocabulary segmentation', 'referring segmentation', 'panoptic segmentation', 'promptable segmentation'], benchmarks: ['ADE20K', 'Cityscapes', 'RefCOCO', 'SA-1B'], metrics: ['mIoU', 'PQ'] },
      { name: 'Depth Estimation', tasks: ['monocular depth estimation', 'video depth estimation', 'metric depth estimation'], benchmarks: ['NYUv2', 'KITTI', 'ETH3D'], metrics: ['AbsRel', 'δ1 accuracy'] },
      { name: 'Visual Representation Learning', tasks: ['self-supervised visual pretraining', 'visual tokenization', 'dense feature learning'], benchmarks: ['ImageNet-1K', 'ImageNet-21K', 'iNaturalist'], metrics: ['top-1 accuracy', 'linear-probe accuracy'] },
      { name: 'Visual Tracking', tasks: ['multi-object tracking', 'point tracking', 'video object segmentation'], benchmarks: ['MOT17', 'DAVIS', 'TAP-Vid'], metrics: ['HOTA', 'J&F'] },
    ],
  },
  {
    name: 'Natural Language Processing',
    categories: ['cs.CL', 'cs.CL', 'cs.CL', 'cs.CL', 'cs.LG', 'cs.AI'],
    venues: ['ACL', 'EMNLP', 'NAACL', 'COLM', 'ICLR', 'NeurIPS'],
    models: ['large language models', 'small language models', 'reasoning models', 'open-weight LLMs'],
    techniques: ['chain-of-thought prompting', 'reinforcement learning with verifiable rewards', 'direct preference optimization', 'supervised fine-tuning', 'process reward models', 'self-consistency', 'instruction tuning', 'speculative decoding'],
    limitations: ['produce verbose reasoning traces that waste inference compute', 'rely on expensive human-written demonstrations', 'hallucinate facts that are absent from their context', 'degrade sharply on inputs longer than those seen in training', 'overfit to the formats of popular benchmarks'],
    stems: ['LM', 'Reason', 'Think', 'Code', 'Lingo', 'Text', 'Chat', 'Math'],
    data: ['questions', 'instruction-response pairs', 'reasoning traces', 'documents'],
    metrics: ['accuracy', 'exact match', 'F1'],
    subfields: [
      { name: 'Large Language Models', tasks: ['language model pretraining', 'instruction following', 'long-context modeling', 'language model evaluation'], benchmarks: ['MMLU', 'MMLU-Pro', 'IFEval', 'Arena-Hard'] },
      { name: 'Reasoning', tasks: ['mathematical reasoning', 'multi-step reasoning', 'test-time scaling of reasoning', 'logical reasoning'], benchmarks: ['GSM8K', 'MATH-500', 'AIME 2024', 'GPQA-Diamond'], metrics: ['accuracy', 'pass@1'] },
      { name: 'Code Generation', categories: ['cs.SE', 'cs.CL', 'cs.CL'], tasks: ['code generation', 'repository-level code completion', 'automated program repair', 'code reasoning'], benchmarks: ['HumanEval', 'MBPP', 'SWE-bench Verified', 'LiveCodeBench'], metrics: ['pass@1', 'resolve rate'] },
      { name: 'Retrieval-Augmented Generation', categories: ['cs.CL', 'cs.IR', 'cs.IR'], tasks: ['retrieval-augmented generation', 'dense retrieval', 'multi-hop question answering'], benchmarks: ['Natural Questions', 'HotpotQA', 'MuSiQue', 'BEIR'], metrics: ['exact match', 'recall@10', 'nDCG@10'] },
      { name: 'Machine Translation', tasks: ['low-resource machine translation', 'document-level translation', 'multilingual translation'], benchmarks: ['FLORES-200', 'WMT23', 'NTREX'], metrics: ['BLEU', 'COMET'] },
      { name: 'Question Answering', tasks: ['open-domain question answering', 'long-form question answering', 'scientific question answering'], benchmarks: ['TriviaQA', 'SQuAD 2.0', 'ELI5'] },
      { name: 'Summarization', tasks: ['abstractive summarization', 'long-document summarization', 'query-focused summarization'], benchmarks: ['CNN/DailyMail', 'arXiv-Sum', 'QMSum'], metrics: ['ROUGE-L', 'factual consistency'] },
      { name: 'Information Extraction', tasks: ['named entity recognition', 'relation extraction', 'structured data extraction'], benchmarks: ['CoNLL-2003', 'DocRED', 'TACRED'], metrics: ['F1'] },
    ],
  },
  {
    name: 'Multimodal Learning',
    categories: ['cs.CV', 'cs.CV', 'cs.CL', 'cs.AI'],
    venues: ['CVPR', 'NeurIPS', 'ICLR', 'ACL', 'ICCV'],
    models: ['vision-language models', 'multimodal LLMs', 'omni-modal models'],
    techniques: ['visual instruction tuning', 'contrastive image-text pretraining', 'visual token compression', 'interleaved image-text pretraining', 'cross-modal alignment', 'multimodal chain-of-thought'],
    limitations: ['spend most of their compute on redundant visual tokens', 'fail to ground their answers in the visual evidence', 'struggle with fine-grained spatial relations', 'hallucinate objects that do not appear in the image'],
    stems: ['VL', 'Omni', 'Vision', 'Lens', 'Sight', 'Eye'],
    data: ['image-question pairs', 'video-question pairs', 'charts and documents', 'interleaved image-text documents'],
    metrics: ['accuracy', 'CIDEr', 'ANLS'],
    subfields: [
      { name: 'Vision-Language Models', tasks: ['vision-language pretraining', 'multimodal instruction following', 'visual grounding'], benchmarks: ['MMBench', 'MMMU', 'SEED-Bench', 'MM-Vet'] },
      { name: 'Video Understanding', tasks: ['long video understanding', 'temporal grounding', 'video question answering'], benchmarks: ['Video-MME', 'EgoSchema', 'MVBench', 'ActivityNet-QA'] },
      { name: 'Document Understanding', tasks: ['document understanding', 'chart question answering', 'OCR-free document parsing'], benchmarks: ['DocVQA', 'ChartQA', 'InfoVQA', 'OCRBench'] },
      { name: 'Visual Question Answering', tasks: ['visual question answering', 'visual mathematical reasoning', 'spatial reasoning'], benchmarks: ['VQAv2', 'MathVista', 'GQA', 'TextVQA'] },
      { name: 'Unified Multimodal Models', tasks: ['unified multimodal understanding and generation', 'any-to-any generation', 'interleaved image-text generation'], benchmarks: ['MMBench', 'GenEval', 'MME'] },
    ],
  },
  {
    name: 'AI Agents',
    categories: ['cs.AI', 'cs.AI', 'cs.CL', 'cs.CL', 'cs.MA'],
    venues: ['NeurIPS', 'ICLR', 'ICML', 'ACL', 'COLM'],
    models: ['LLM agents', 'web agents', 'GUI agents', 'autonomous agents'],
    techniques: ['tool-augmented reasoning', 'agentic reinforcement learning', 'trajectory synthesis', 'hierarchical planning', 'self-reflection', 'memory retrieval'],
    limitations: ['accumulate errors over long action sequences', 'depend on hand-crafted prompts for every new environment', 'cannot recover once an action fails', 'are expensive to evaluate in realistic environments'],
    stems: ['Agent', 'Act', 'Web', 'Tool', 'Plan', 'Pilot'],
    data: ['agent trajectories', 'tasks', 'tool calls', 'web pages'],
    metrics: ['success rate', 'task completion rate'],
    subfields: [
      { name: 'LLM Agents', tasks: ['autonomous task completion', 'long-horizon agentic planning', 'agent memory management'], benchmarks: ['AgentBench', 'GAIA', 'TheAgentCompany'] },
      { name: 'Web Agents', tasks: ['web navigation', 'deep research', 'web information seeking'], benchmarks: ['WebArena', 'Mind2Web', 'BrowseComp', 'WebVoyager'] },
      { name: 'GUI Agents', tasks: ['GUI grounding', 'mobile app automation', 'computer use'], benchmarks: ['OSWorld', 'AndroidWorld', 'ScreenSpot-Pro'] },
      { name: 'Tool Use', tasks: ['tool learning', 'function calling', 'API orchestration'], benchmarks: ['ToolBench', 'BFCL', 'τ-bench'] },
      { name: 'Multi-Agent Systems', tasks: ['multi-agent collaboration', 'agent debate', 'role-playing simulation'], benchmarks: ['MultiAgentBench', 'ChatDev', 'Sotopia'] },
    ],
  },
  {
    name: 'Reinforcement Learning',
    categories: ['cs.LG', 'cs.LG', 'cs.LG', 'cs.AI'],
    venues: ['NeurIPS', 'ICML', 'ICLR', 'AAMAS', 'RLC'],
    models: ['RL agents', 'policies', 'world models', 'reward models'],
    techniques: ['offline reinforcement learning', 'policy gradient methods', 'model-based planning', 'reward shaping', 'group relative policy optimization', 'intrinsic motivation'],
    limitations: ['are notoriously sample-inefficient', 'exploit flaws in the learned reward', 'collapse when the data distribution shifts', 'require carefully tuned hyperparameters for every task'],
    stems: ['RL', 'Policy', 'Q', 'Dream', 'Reward'],
    data: ['trajectories', 'episodes', 'preference pairs'],
    metrics: ['normalized return', 'success rate', 'win rate'],
    subfields: [
      { name: 'RLHF and Alignment', categories: ['cs.CL', 'cs.LG', 'cs.LG'], tasks: ['preference optimization', 'reinforcement learning from human feedback', 'reward modeling'], benchmarks: ['AlpacaEval 2.0', 'MT-Bench', 'RewardBench'], metrics: ['win rate', 'length-controlled win rate'] },
      { name: 'Offline RL', tasks: ['offline policy learning', 'offline-to-online fine-tuning'], benchmarks: ['D4RL', 'RL Unplugged', 'OGBench'] },
      { name: 'World Models', tasks: ['world modeling', 'model-based reinforcement learning', 'video world simulation'], benchmarks: ['Atari 100k', 'DeepMind Control Suite', 'Crafter'] },
      { name: 'Multi-Agent RL', categories: ['cs.MA', 'cs.LG'], tasks: ['cooperative multi-agent learning', 'emergent communication'], benchmarks: ['SMAC', 'Overcooked', 'Melting Pot'] },
      { name: 'Exploration', tasks: ['exploration in sparse-reward environments', 'curiosity-driven learning'], benchmarks: ['Montezuma\'s Revenge', 'MiniGrid', 'NetHack'] },
    ],
  },
  {
    name: 'Robotics',
    categories: ['cs.RO', 'cs.RO', 'cs.RO', 'cs.CV', 'cs.LG'],
    venues: ['CoRL', 'ICRA', 'RSS', 'IROS'],
    models: ['robot policies', 'vision-language-action models', 'generalist robot agents'],
    techniques: ['imitation learning', 'diffusion policies', 'sim-to-real transfer', 'action tokenization', 'teleoperation data scaling', 'cross-embodiment pretraining'],
    limitations: ['require thousands of teleoperated demonstrations per task', 'fail to generalize to unseen objects and scenes', 'are too slow for closed-loop control', 'transfer poorly from simulation to the real world'],
    stems: ['VLA', 'Bot', 'Grasp', 'Nav', 'Drive', 'Loco'],
    data: ['demonstrations', 'robot trajectories', 'driving scenes'],
    metrics: ['success rate', 'collision rate'],
    subfields: [
      { name: 'Robot Manipulation', tasks: ['dexterous manipulation', 'bimanual manipulation', 'language-conditioned manipulation'], benchmarks: ['LIBERO', 'CALVIN', 'RLBench', 'SimplerEnv'] },
      { name: 'Vision-Language-Action Models', tasks: ['vision-language-action modeling', 'generalist robot policy learning'], benchmarks: ['LIBERO', 'SimplerEnv', 'Open X-Embodiment'] },
      { name: 'Autonomous Driving', tasks: ['end-to-end autonomous driving', 'motion forecasting', 'driving scene generation'], benchmarks: ['nuScenes', 'Waymo Open Dataset', 'NAVSIM', 'CARLA'], metrics: ['PDMS', 'L2 error', 'collision rate'] },
      { name: 'Embodied Navigation', tasks: ['vision-language navigation', 'object goal navigation'], benchmarks: ['R2R', 'Habitat', 'RxR'] },
      { name: 'Humanoid Robots', tasks: ['humanoid locomotion', 'whole-body control', 'motion retargeting'], benchmarks: ['Isaac Gym', 'MuJoCo Playground', 'HumanoidBench'] },
    ],
  },
  {
    name: 'Efficient Machine Learning',
    categories: ['cs.LG', 'cs.LG', 'cs.CL', 'cs.DC', 'cs.AR'],
    venues: ['MLSys', 'NeurIPS', 'ICML', 'ICLR', 'OSDI'],
    models: ['LLMs', 'transformers', 'mixture-of-experts models', 'diffusion transformers'],
    techniques: ['post-training quantization', 'structured pruning', 'KV cache compression', 'sparse attention', 'low-rank adaptation', 'knowledge distillation', 'mixture-of-experts routing', 'linear attention'],
    limitations: ['leave most of the hardware\'s memory bandwidth unused', 'lose accuracy at low bit widths', 'scale quadratically with sequence length', 'require expensive retraining after compression'],
    stems: ['Quant', 'Sparse', 'Fast', 'Lite', 'Turbo', 'Mo'],
    data: ['prompts', 'workloads', 'model checkpoints'],
    metrics: ['throughput', 'latency', 'perplexity'],
    subfields: [
      { name: 'Model Compression', tasks: ['low-bit quantization', 'model pruning', 'model distillation'], benchmarks: ['WikiText-2', 'C4', 'LongBench'], metrics: ['perplexity', 'accuracy'] },
      { name: 'Efficient Inference', tasks: ['efficient LLM serving', 'speculative decoding', 'KV cache management'], benchmarks: ['ShareGPT', 'MT-Bench', 'LongBench'], metrics: ['throughput', 'time to first token'] },
      { name: 'Mixture of Experts', tasks: ['sparse mixture-of-experts training', 'expert load balancing', 'expert offloading'], benchmarks: ['MMLU', 'The Pile', 'HellaSwag'] },
      { name: 'Long Context', tasks: ['context window extension', 'long-context retrieval', 'efficient long-sequence attention'], benchmarks: ['RULER', 'LongBench v2', 'Needle in a Haystack'] },
      { name: 'Distributed Training', categories: ['cs.DC', 'cs.LG'], tasks: ['large-scale distributed training', 'communication-efficient training', 'low-precision training'], benchmarks: ['The Pile', 'FineWeb', 'C4'], metrics: ['MFU', 'training throughput'] },
    ],
  },
  {
    name: 'Trustworthy AI',
    categories: ['cs.CL', 'cs.LG', 'cs.CR', 'cs.AI'],
    venues: ['NeurIPS', 'ICLR', 'USENIX Security', 'ACL', 'FAccT'],
    models: ['language models', 'safety-aligned LLMs', 'deployed AI systems'],
    techniques: ['sparse autoencoders', 'activation steering', 'red teaming', 'adversarial training', 'differential privacy', 'constitutional training'],
    limitations: ['remain vulnerable to simple adaptive attacks', 'offer little insight into why a model fails', 'trade helpfulness for safety', 'cannot be audited without access to model weights'],
    stems: ['Guard', 'Safe', 'Shield', 'Probe', 'Trust'],
    data: ['adversarial prompts', 'harmful requests', 'model behaviours'],
    metrics: ['attack success rate', 'refusal rate', 'AUROC'],
    subfields: [
      { name: 'Interpretability', tasks: ['mechanistic interpretability', 'feature attribution', 'circuit discovery'], benchmarks: ['IOI', 'SAEBench', 'RAVEL'], metrics: ['faithfulness', 'explained variance'] },
      { name: 'Jailbreaks and Red Teaming', tasks: ['jailbreak attacks', 'automated red teaming', 'jailbreak defense'], benchmarks: ['HarmBench', 'AdvBench', 'JailbreakBench'], metrics: ['attack success rate'] },
      { name: 'Hallucination', tasks: ['hallucination detection', 'factuality evaluation', 'uncertainty estimation'], benchmarks: ['TruthfulQA', 'HaluEval', 'FActScore'], metrics: ['AUROC', 'FActScore'] },
      { name: 'Privacy', categories: ['cs.CR', 'cs.LG'], tasks: ['membership inference', 'machine unlearning', 'private fine-tuning'], benchmarks: ['TOFU', 'WMDP', 'MUSE'] },
      { name: 'Fairness', categories: ['cs.CY', 'cs.CL'], tasks: ['bias evaluation', 'fairness-aware learning'], benchmarks: ['BBQ', 'CrowS-Pairs', 'StereoSet'] },
    ],
  },
  {
    name: 'Speech and Audio',
    categories: ['eess.AS', 'eess.AS', 'cs.SD', 'cs.CL'],
    venues: ['Interspeech', 'ICASSP', 'NeurIPS', 'ISMIR'],
    models: ['speech language models', 'audio foundation models', 'neural codecs'],
    techniques: ['neural audio codecs', 'self-supervised speech pretraining', 'discrete audio tokens', 'flow matching', 'streaming decoding'],
    limitations: ['lose prosody and speaker identity', 'are too slow for real-time interaction', 'need large amounts of transcribed speech', 'degrade in noisy, multi-speaker conditions'],
    stems: ['Voice', 'Speech', 'Audio', 'Sonic', 'Tone'],
    data: ['hours of speech', 'audio clips', 'music tracks'],
    metrics: ['WER', 'MOS', 'speaker similarity'],
    subfields: [
      { name: 'Speech Recognition', tasks: ['automatic speech recognition', 'multilingual speech recognition', 'streaming speech recognition'], benchmarks: ['LibriSpeech', 'Common Voice', 'FLEURS'], metrics: ['WER', 'CER'] },
      { name: 'Text-to-Speech', tasks: ['zero-shot text-to-speech', 'expressive speech synthesis', 'voice cloning'], benchmarks: ['LibriTTS', 'Seed-TTS eval', 'VCTK'], metrics: ['MOS', 'WER', 'speaker similarity'] },
      { name: 'Music Generation', tasks: ['text-to-music generation', 'song generation', 'music editing'], benchmarks: ['MusicCaps', 'Song Describer', 'FMA'], metrics: ['FAD', 'CLAP score'] },
      { name: 'Spoken Dialogue', tasks: ['full-duplex spoken dialogue', 'speech-to-speech translation'], benchmarks: ['VoiceBench', 'CVSS', 'Big Bench Audio'] },
    ],
  },
  {
    name: 'AI for Science',
    categories: ['cs.LG', 'q-bio.BM', 'physics.comp-ph'],
    venues: ['NeurIPS', 'ICML', 'ICLR', 'MICCAI'],
    models: ['scientific foundation models', 'protein language models', 'neural surrogates'],
    techniques: ['equivariant graph networks', 'geometric deep learning', 'diffusion models', 'physics-informed training', 'autoregressive forecasting'],
    limitations: ['ignore the physical symmetries of the problem', 'are evaluated on narrow, saturated benchmarks', 'do not quantify their uncertainty', 'require costly simulations for every new system'],
    stems: ['Bio', 'Chem', 'Fold', 'Geo', 'Sci', 'Med'],
    data: ['protein structures', 'molecules', 'clinical images', 'simulation snapshots'],
    metrics: ['RMSE', 'success rate', 'AUROC'],
    subfields: [
      { name: 'Protein Design', categories: ['q-bio.BM', 'cs.LG'], tasks: ['protein structure prediction', 'de novo protein design', 'protein-ligand docking'], benchmarks: ['CASP15', 'PDBbind', 'PoseBusters'], metrics: ['RMSD', 'TM-score'] },
      { name: 'Molecule Generation', categories: ['q-bio.QM', 'cs.LG', 'physics.chem-ph'], tasks: ['molecule generation', 'retrosynthesis planning', 'property prediction'], benchmarks: ['QM9', 'GEOM-Drugs', 'USPTO-50K'] },
      { name: 'Weather and Climate', categories: ['physics.ao-ph', 'cs.LG'], tasks: ['medium-range weather forecasting', 'precipitation nowcasting', 'climate emulation'], benchmarks: ['WeatherBench 2', 'ERA5', 'ClimateBench'], metrics: ['RMSE', 'ACC'] },
      { name: 'Medical Imaging', categories: ['eess.IV', 'cs.CV'], tasks: ['medical image segmentation', 'radiology report generation', 'medical visual question answering'], benchmarks: ['MIMIC-CXR', 'BraTS', 'VQA-RAD'], metrics: ['Dice score', 'AUROC'] },
      { name: 'Theorem Proving', categories: ['cs.AI', 'cs.LO', 'cs.LG'], tasks: ['formal theorem proving', 'autoformalization', 'mathematical discovery'], benchmarks: ['miniF2F', 'ProofNet', 'PutnamBench'], metrics: ['pass@32', 'proof success rate'] },
    ],
  },
];

/**
 * Qualifiers that turn a curated subfield into more topics at large sizes ("Efficient Video
 * Generation"), so the tree can grow to a thousand topics without lorem ipsum.
 */
export const TOPIC_QUALIFIERS: readonly string[] = [
  'Efficient', 'Multilingual', 'Robust', 'Few-Shot', 'Zero-Shot', 'Self-Supervised', 'Federated', 'Interpretable',
  'Controllable', 'Continual', 'Open-Vocabulary', 'Long-Horizon', 'Real-Time', 'Privacy-Preserving', 'Scalable',
  'Data-Efficient', 'Uncertainty-Aware', 'Compositional', 'Streaming', 'On-Device', 'Fine-Grained', 'Causal',
  'Personalized', 'Hierarchical',
];

export const ADJECTIVES: readonly string[] = [
  'efficient', 'scalable', 'robust', 'unified', 'controllable', 'generalizable', 'training-free', 'data-efficient',
  'interpretable', 'faithful', 'fine-grained', 'long-horizon', 'zero-shot', 'self-supervised', 'open-vocabulary',
  'real-time', 'lightweight', 'consistent', 'adaptive', 'hierarchical', 'compositional', 'reliable', 'plug-and-play',
];

export const GENERIC_TECHNIQUES: readonly string[] = [
  'reinforcement learning with verifiable rewards', 'direct preference optimization', 'low-rank adaptation',
  'knowledge distillation', 'contrastive learning', 'test-time scaling', 'curriculum learning', 'sparse attention',
  'synthetic data', 'self-supervised pretraining', 'retrieval augmentation', 'masked modeling', 'state space models',
  'in-context learning', 'model merging', 'self-distillation', 'token merging', 'preference optimization',
];

export const GOALS: readonly string[] = [
  'reduce inference cost without sacrificing quality', 'improve generalization to unseen domains',
  'preserve fine-grained details', 'scale gracefully to longer inputs', 'reduce the reliance on human annotations',
  'stabilize training at scale', 'improve sample efficiency', 'close the gap with proprietary systems',
  'mitigate hallucinations', 'enable precise user control', 'make evaluation more reliable',
];

/** Completes "Specifically, {method} ...": {tech} is filled in. */
export const STEPS: readonly string[] = [
  'first builds a compact latent representation of the input and then refines it with {tech}',
  'couples a lightweight planner with an executor trained via {tech}',
  'introduces a learnable router that allocates computation to the most informative tokens',
  'uses {tech} to generate high-quality training signal without human labels',
  'aligns intermediate representations across stages with a contrastive objective',
  'replaces dense attention with a sparse, content-aware pattern learned end to end',
  'distills a large teacher into a compact student using {tech}',
  'iteratively refines its own outputs with feedback from a learned verifier',
  'trains a reward model on pairwise preferences and optimizes the policy with {tech}',
  'caches and reuses intermediate activations across steps, trained with {tech}',
  'decomposes each problem into sub-goals and solves them with {tech}',
  'curates a high-quality training mixture with a two-stage filtering pipeline and {tech}',
];

export const FINDINGS: readonly string[] = [
  'the gains grow with model scale',
  'data quality matters more than data quantity in this regime',
  'simple baselines remain surprisingly competitive when they are properly tuned',
  'most of the improvement comes from the first stage of training',
  'current evaluation protocols substantially overestimate model capabilities',
  'performance saturates quickly once the training data is deduplicated',
  'the learned representations transfer to tasks never seen during training',
];

export const METHOD_PREFIXES: readonly string[] = [
  'Omni', 'Flash', 'Hydra', 'Lumina', 'Nova', 'Vista', 'Astra', 'Echo', 'Orion', 'Atlas', 'Aurora', 'Nexus', 'Quill',
  'Zephyr', 'Helix', 'Prism', 'Mosaic', 'Cosmo', 'Tiny', 'Uni', 'Hyper', 'Pano', 'Kairos', 'Sage', 'Lyra', 'Vega',
  'Polaris', 'Ember', 'Cascade', 'Mirage', 'Spark', 'Nimbus', 'Draco', 'Magma', 'Sky', 'Open', 'Deep', 'Meta', 'Dual',
  'Any', 'Self', 'Long', 'Fast', 'Mini', 'Ultra', 'Infini', 'Lumo', 'Argo', 'Terra', 'Iris',
];

export const METHOD_SUFFIXES: readonly string[] = ['', '', '', '', '', '-R1', '-2', '-V', '-XL', '-Zero', '-Pro', '-1.5', 'Former', 'Net', '-Lite', '-7B', '-Bench'];

/** GitHub owners that are organisations rather than a person or a named lab. */
export const GITHUB_ORGS: readonly string[] = [
  'open-vision-lab', 'reasoning-group', 'nlp-hub', 'robot-learning-collective', 'efficient-ml', 'ai4science-lab',
  'multimodal-research', 'agent-lab', 'safe-ai-institute', 'speech-lab', 'foundation-models-group', 'ml-systems-lab',
  'generative-ai-lab', 'embodied-ai', 'data-centric-ai',
];

export interface NameCulture {
  /** Share of authors and users drawn from this pool. */
  readonly weight: number;
  readonly given: readonly string[];
  /** Given names built from two syllables ("Zhi" + "yuan"), for pools where that is the norm. */
  readonly syllables?: readonly [readonly string[], readonly string[]];
  readonly family: readonly string[];
  /** How often a byline adds a middle initial ("Rahul K. Sharma"); default 0.02. */
  readonly middleInitial?: number;
}

export const NAME_CULTURES: readonly NameCulture[] = [
  {
    weight: 34,
    middleInitial: 0,
    given: ['Wei', 'Jun', 'Lei', 'Yang', 'Bo', 'Jie', 'Tao', 'Fan', 'Hao', 'Kun', 'Min', 'Ying', 'Yi', 'Rui', 'Qian', 'Xin', 'Yu', 'Chen'],
    syllables: [
      ['Zhi', 'Yu', 'Xin', 'Hao', 'Jia', 'Zi', 'Yi', 'Rui', 'Shu', 'Wen', 'Jun', 'Ming', 'Chen', 'Xiao', 'Tian', 'Han', 'Yan', 'Jing', 'Kai', 'Qi', 'Si', 'Lin', 'Hong', 'Bo', 'Meng', 'Yue', 'Ze', 'Hui', 'Peng', 'Xu', 'Le', 'Zhen', 'Wei', 'Cheng', 'Qing', 'Guo', 'Shi', 'Dong', 'Jin', 'Ruo'],
      ['yuan', 'xin', 'tian', 'ming', 'hao', 'yu', 'han', 'jie', 'wei', 'yang', 'ran', 'bo', 'hui', 'long', 'rui', 'xuan', 'lin', 'qi', 'chen', 'feng', 'fei', 'jun', 'kai', 'nan', 'peng', 'ting', 'wen', 'yi', 'zhe', 'heng', 'yue', 'lei', 'tong', 'yan', 'shan', 'qian', 'jing', 'cheng', 'hang', 'xiang'],
    ],
    family: ['Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Yang', 'Huang', 'Zhao', 'Wu', 'Zhou', 'Xu', 'Sun', 'Ma', 'Zhu', 'Hu', 'Guo', 'He', 'Lin', 'Luo', 'Gao', 'Zheng', 'Liang', 'Xie', 'Tang', 'Song', 'Han', 'Feng', 'Deng', 'Cao', 'Peng', 'Zeng', 'Xiao', 'Tian', 'Dong', 'Pan', 'Yuan', 'Cai', 'Jiang', 'Yu', 'Du', 'Ye', 'Cheng', 'Wei', 'Su', 'Lu', 'Ding', 'Ren', 'Shen', 'Yao', 'Fang', 'Qian', 'Jin', 'Kong', 'Bai', 'Fu', 'Mao'],
  },
  {
    weight: 11,
    middleInitial: 0.08,
    given: ['Aarav', 'Aditya', 'Akash', 'Amit', 'Ananya', 'Anirudh', 'Ankit', 'Arjun', 'Aryan', 'Ashwin', 'Deepak', 'Divya', 'Gaurav', 'Harsh', 'Ishaan', 'Karan', 'Kavya', 'Krishna', 'Manish', 'Meera', 'Mohit', 'Neha', 'Nikhil', 'Nisha', 'Pooja', 'Pranav', 'Priya', 'Rahul', 'Rajesh', 'Rohan', 'Sahil', 'Sanjay', 'Shreya', 'Siddharth', 'Sneha', 'Suresh', 'Tanvi', 'Varun', 'Vikram', 'Vivek', 'Yash', 'Aishwarya', 'Abhishek', 'Ravi', 'Sunil', 'Swati', 'Tanmay', 'Utkarsh', 'Vishal', 'Shubham', 'Ritika', 'Kunal', 'Ayush', 'Dhruv', 'Ishita', 'Saurabh'],
    family: ['Sharma', 'Gupta', 'Singh', 'Kumar', 'Patel', 'Reddy', 'Agarwal', 'Iyer', 'Rao', 'Mehta', 'Joshi', 'Chatterjee', 'Banerjee', 'Nair', 'Krishnan', 'Das', 'Mishra', 'Verma', 'Jain', 'Bhat', 'Kulkarni', 'Desai', 'Pillai', 'Menon', 'Srinivasan', 'Mukherjee', 'Ghosh', 'Bose', 'Chaudhary', 'Malhotra', 'Kapoor', 'Saxena', 'Tiwari', 'Pandey', 'Shah', 'Khanna', 'Goyal', 'Naidu', 'Venkatesh', 'Raman'],
  },
  {
    weight: 6,
    middleInitial: 0,
    given: ['Minjun', 'Seoyeon', 'Jiwoo', 'Jaehyun', 'Hyunwoo', 'Sungmin', 'Donghyun', 'Youngjae', 'Junho', 'Soojin'],
    syllables: [
      ['Min', 'Seo', 'Ji', 'Jae', 'Hyun', 'Sung', 'Dong', 'Young', 'Jun', 'Soo', 'Eun', 'Ha', 'Tae', 'Joon', 'Woo', 'Yoon', 'Hye', 'Chan', 'Kyung', 'Sang'],
      ['jun', 'woo', 'hoon', 'jin', 'ho', 'yeon', 'min', 'seok', 'won', 'bin', 'hyun', 'soo', 'young', 'jae', 'kyu', 'hee'],
    ],
    family: ['Kim', 'Lee', 'Park', 'Choi', 'Jung', 'Kang', 'Cho', 'Yoon', 'Jang', 'Lim', 'Shin', 'Han', 'Oh', 'Seo', 'Kwon', 'Hwang', 'Ahn', 'Song', 'Yoo', 'Hong'],
  },
  {
    weight: 4,
    given: ['Haruto', 'Yuto', 'Sota', 'Ren', 'Takumi', 'Kenta', 'Daiki', 'Shota', 'Ryo', 'Kaito', 'Yuki', 'Hiroshi', 'Takeshi', 'Kazuki', 'Naoki', 'Yusuke', 'Akira', 'Satoshi', 'Koji', 'Masato', 'Yui', 'Aoi', 'Haruka', 'Sakura', 'Misaki', 'Ayaka', 'Emi', 'Mai', 'Nanami', 'Rin'],
    family: ['Tanaka', 'Suzuki', 'Takahashi', 'Watanabe', 'Ito', 'Yamamoto', 'Nakamura', 'Kobayashi', 'Sato', 'Kato', 'Yoshida', 'Yamada', 'Sasaki', 'Matsumoto', 'Inoue', 'Kimura', 'Hayashi', 'Shimizu', 'Mori', 'Ikeda', 'Hashimoto', 'Ishikawa', 'Ogawa', 'Okada', 'Fujita'],
  },
  {
    weight: 12,
    middleInitial: 0.15,
    given: ['James', 'John', 'Michael', 'David', 'Daniel', 'Matthew', 'Andrew', 'Ryan', 'Benjamin', 'Samuel', 'Thomas', 'Christopher', 'Jonathan', 'Nathan', 'Alexander', 'Joshua', 'Ethan', 'Tyler', 'Kevin', 'Brian', 'Emily', 'Sarah', 'Jessica', 'Emma', 'Olivia', 'Hannah', 'Rachel', 'Lauren', 'Megan', 'Katherine', 'Abigail', 'Grace', 'Sophia', 'Chloe', 'Natalie', 'Rebecca', 'Victoria', 'Madeline', 'Claire', 'Julia', 'Owen', 'Lucas', 'Henry', 'Jack', 'Noah', 'Liam', 'Eleanor', 'Alice', 'Isabel', 'Peter'],
    family: ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Miller', 'Davis', 'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Martin', 'Jackson', 'Thompson', 'White', 'Harris', 'Clark', 'Lewis', 'Walker', 'Hall', 'Allen', 'Young', 'King', 'Wright', 'Scott', 'Green', 'Baker', 'Adams', 'Nelson', 'Mitchell', 'Campbell', 'Roberts', 'Carter', 'Phillips', 'Evans', 'Turner', 'Parker', 'Collins', 'Edwards', 'Stewart', 'Morris', 'Murphy', 'Cook', 'Rogers', 'Morgan', 'Cooper', 'Peterson', 'Reed', 'Bailey', 'Kelly', 'Howard', 'Ward', 'Richardson', 'Wood', 'Watson', 'Brooks', 'Bennett', 'Gray', 'Hughes', 'Price', 'Sanders', 'Foster', "O'Brien", "O'Connor", 'McDonald'],
  },
  {
    weight: 4,
    given: ['Lukas', 'Jonas', 'Leon', 'Felix', 'Maximilian', 'Paul', 'Niklas', 'Tobias', 'Florian', 'Sebastian', 'Moritz', 'Julian', 'Jan', 'Tim', 'Matthias', 'Stefan', 'Johannes', 'Philipp', 'Katharina', 'Lena', 'Anna', 'Laura', 'Lea', 'Sophie', 'Marie', 'Johanna', 'Franziska', 'Jürgen', 'Jörg', 'Björn'],
    family: ['Müller', 'Schmidt', 'Schneider', 'Fischer', 'Weber', 'Meyer', 'Wagner', 'Becker', 'Schulz', 'Hoffmann', 'Schäfer', 'Koch', 'Bauer', 'Richter', 'Klein', 'Wolf', 'Schröder', 'Neumann', 'Schwarz', 'Zimmermann', 'Braun', 'Krüger', 'Hartmann', 'Lange', 'Werner', 'Krause', 'Lehmann', 'Köhler', 'Groß'],
  },
  {
    weight: 3.5,
    given: ['Louis', 'Hugo', 'Théo', 'Mathis', 'Antoine', 'Julien', 'Nicolas', 'Pierre', 'Maxime', 'Clément', 'Guillaume', 'Étienne', 'François', 'Baptiste', 'Romain', 'Camille', 'Chloé', 'Léa', 'Manon', 'Inès', 'Élodie', 'Mathilde', 'Céline', 'Margaux', 'Amélie', 'Hélène', 'Noémie', 'Jérôme', 'Sébastien', 'Benoît'],
    family: ['Martin', 'Bernard', 'Dubois', 'Robert', 'Richard', 'Petit', 'Durand', 'Leroy', 'Moreau', 'Simon', 'Laurent', 'Lefèvre', 'Michel', 'Bertrand', 'Roux', 'Vincent', 'Fournier', 'Morel', 'Girard', 'André', 'Mercier', 'Dupont', 'Lambert', 'Bonnet', 'Rousseau', 'Blanc', 'Guérin', 'Faure', 'Chevalier', 'Gauthier', 'Perrin'],
  },
  {
    weight: 4,
    given: ['Alejandro', 'Carlos', 'Diego', 'Javier', 'José', 'Juan', 'Luis', 'Manuel', 'Miguel', 'Pablo', 'Sergio', 'Andrés', 'Mateo', 'Santiago', 'Sebastián', 'Tomás', 'Raúl', 'Álvaro', 'Fernando', 'María', 'Lucía', 'Sofía', 'Valentina', 'Camila', 'Isabella', 'Daniela', 'Paula', 'Elena', 'Marta', 'Ana', 'Inés', 'Beatriz', 'Rocío', 'Joaquín', 'Martín', 'Gonzalo', 'Ignacio'],
    family: ['García', 'Rodríguez', 'Martínez', 'López', 'González', 'Hernández', 'Pérez', 'Sánchez', 'Ramírez', 'Torres', 'Flores', 'Rivera', 'Gómez', 'Díaz', 'Cruz', 'Morales', 'Ortiz', 'Gutiérrez', 'Romero', 'Navarro', 'Ruiz', 'Jiménez', 'Muñoz', 'Álvarez', 'Castillo', 'Vargas', 'Castro', 'Ramos', 'Herrera', 'Medina', 'Aguilar', 'Iglesias', 'Domínguez', 'Vázquez', 'Suárez'],
  },
  {
    weight: 2,
    given: ['João', 'Pedro', 'Gabriel', 'Rafael', 'Lucas', 'Guilherme', 'Felipe', 'Thiago', 'Bruno', 'Gustavo', 'Leonardo', 'Vinícius', 'Ana', 'Beatriz', 'Mariana', 'Larissa', 'Fernanda', 'Juliana', 'Letícia', 'Camila'],
    family: ['Silva', 'Santos', 'Oliveira', 'Souza', 'Pereira', 'Costa', 'Rodrigues', 'Almeida', 'Nascimento', 'Lima', 'Araújo', 'Fernandes', 'Carvalho', 'Gomes', 'Martins', 'Rocha', 'Ribeiro', 'Barbosa', 'Moreira', 'Conceição'],
  },
  {
    weight: 2.5,
    given: ['Marco', 'Luca', 'Matteo', 'Alessandro', 'Lorenzo', 'Andrea', 'Francesco', 'Giovanni', 'Davide', 'Simone', 'Federico', 'Riccardo', 'Stefano', 'Giulia', 'Chiara', 'Francesca', 'Sara', 'Martina', 'Elisa', 'Alessia', 'Niccolò'],
    family: ['Rossi', 'Russo', 'Ferrari', 'Esposito', 'Bianchi', 'Romano', 'Colombo', 'Ricci', 'Marino', 'Greco', 'Bruno', 'Gallo', 'Conti', 'De Luca', 'Mancini', 'Giordano', 'Rizzo', 'Lombardi', 'Moretti', 'Barbieri', 'Fontana', 'Santoro', 'Mariani', 'Caruso'],
  },
  {
    weight: 4,
    given: ['Aleksandr', 'Dmitry', 'Sergey', 'Andrey', 'Alexey', 'Ivan', 'Mikhail', 'Nikolai', 'Pavel', 'Artem', 'Anastasia', 'Ekaterina', 'Olga', 'Tatiana', 'Yulia', 'Daria', 'Łukasz', 'Paweł', 'Piotr', 'Krzysztof', 'Tomasz', 'Michał', 'Jakub', 'Agnieszka', 'Katarzyna', 'Małgorzata', 'Ondřej', 'Jiří', 'Tomáš', 'Petra', 'Marek', 'Bogdan', 'Andrei', 'Mihai', 'Ioana'],
    family: ['Ivanov', 'Smirnov', 'Kuznetsov', 'Popov', 'Petrov', 'Volkov', 'Sokolov', 'Lebedev', 'Kozlov', 'Novikov', 'Morozov', 'Pavlov', 'Orlov', 'Nowak', 'Kowalski', 'Wiśniewski', 'Wójcik', 'Kowalczyk', 'Kamiński', 'Lewandowski', 'Zieliński', 'Szymański', 'Dvořák', 'Novák', 'Svoboda', 'Černý', 'Horváth', 'Nagy', 'Kovács', 'Popescu', 'Ionescu', 'Shevchenko', 'Bondarenko', 'Kovalenko'],
  },
  {
    weight: 3,
    given: ['Lars', 'Anders', 'Erik', 'Johan', 'Magnus', 'Henrik', 'Mikkel', 'Søren', 'Mads', 'Oskar', 'Emil', 'Nils', 'Sven', 'Ingrid', 'Astrid', 'Freya', 'Sigrid', 'Maja', 'Linnea', 'Sander', 'Daan', 'Bram', 'Thijs', 'Ruben', 'Sanne', 'Femke', 'Lotte', 'Maarten', 'Joost', 'Pieter'],
    family: ['Andersson', 'Johansson', 'Karlsson', 'Nilsson', 'Eriksson', 'Larsson', 'Olsson', 'Persson', 'Hansen', 'Nielsen', 'Jensen', 'Pedersen', 'Andersen', 'Larsen', 'Sørensen', 'Jørgensen', 'Berg', 'Lindqvist', 'Holm', 'de Vries', 'van Dijk', 'Bakker', 'Visser', 'Janssen', 'de Jong', 'van den Berg', 'Smit', 'Mulder', 'Meijer', 'de Boer', 'Dekker', 'Vos', 'Korhonen', 'Virtanen', 'Mäkinen', 'Nieminen'],
  },
  {
    weight: 2,
    given: ['Minh', 'Anh', 'Huy', 'Khoa', 'Tuan', 'Hoang', 'Long', 'Nam', 'Phuc', 'Quang', 'Thanh', 'Trung', 'Linh', 'Mai', 'Thu', 'Hương', 'Ngọc', 'Đức', 'Quốc', 'Bảo', 'Hải', 'Khánh'],
    family: ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý'],
  },
  {
    weight: 1.5,
    given: ['Mehmet', 'Ahmet', 'Mustafa', 'Emre', 'Burak', 'Can', 'Cem', 'Deniz', 'Elif', 'Zeynep', 'Ayşe', 'Fatma', 'Oğuz', 'Barış', 'Çağrı', 'Gökhan', 'Kaan', 'Serkan', 'Selin', 'Ebru'],
    family: ['Yılmaz', 'Kaya', 'Demir', 'Şahin', 'Çelik', 'Yıldız', 'Yıldırım', 'Öztürk', 'Aydın', 'Özdemir', 'Arslan', 'Doğan', 'Kılıç', 'Aslan', 'Çetin', 'Koç', 'Kurt', 'Özkan', 'Polat', 'Güneş', 'Aksoy'],
  },
  {
    weight: 3.5,
    given: ['Mohammed', 'Ahmed', 'Omar', 'Ali', 'Hassan', 'Youssef', 'Khaled', 'Karim', 'Tariq', 'Amir', 'Reza', 'Mehdi', 'Hossein', 'Arash', 'Fatima', 'Layla', 'Nour', 'Yasmin', 'Maryam', 'Zahra', 'Parisa', 'Hamid', 'Sina', 'Navid', 'Farhan', 'Imran', 'Nadia', 'Sadia'],
    family: ['Hassan', 'Ali', 'Ahmed', 'Mahmoud', 'Ibrahim', 'Khalil', 'Haddad', 'Saleh', 'Mansour', 'Nasser', 'Farouk', 'Rahimi', 'Hosseini', 'Mohammadi', 'Karimi', 'Ahmadi', 'Rezaei', 'Moradi', 'Jafari', 'Sadeghi', 'Rahman', 'Hossain', 'Islam', 'Chowdhury', 'Akhtar', 'Khan', 'Qureshi', 'Siddiqui'],
  },
  {
    weight: 1.5,
    given: ['Noam', 'Itai', 'Yonatan', 'Omri', 'Eitan', 'Tal', 'Yael', 'Noa', 'Shira', 'Maya', 'Gal', 'Roi', 'Ori', 'Nadav', 'Lior'],
    family: ['Cohen', 'Levi', 'Mizrahi', 'Peretz', 'Biton', 'Friedman', 'Katz', 'Shapiro', 'Goldberg', 'Rosenberg', 'Ben-David', 'Avraham', 'Segal', 'Weiss', 'Klein'],
  },
  {
    weight: 1.5,
    given: ['Chinedu', 'Oluwaseun', 'Adebayo', 'Kwame', 'Kofi', 'Ama', 'Abena', 'Ngozi', 'Chiamaka', 'Tunde', 'Emeka', 'Thabo', 'Sipho', 'Lerato', 'Amara', 'Tendai', 'Wanjiru', 'Kamau', 'Aisha', 'Fatou'],
    family: ['Okafor', 'Adeyemi', 'Okonkwo', 'Mensah', 'Boateng', 'Asante', 'Nkosi', 'Dlamini', 'Mwangi', 'Odhiambo', 'Ochieng', 'Eze', 'Nwosu', 'Balogun', 'Abubakar', 'Diallo', 'Traoré', 'Ndiaye', 'Kamara'],
  },
];

/** Byline affiliations (arXiv's `arxiv:affiliation`): each author keeps one across papers. */
export const INSTITUTIONS: readonly string[] = [
  'Tsinghua University', 'Peking University', 'Shanghai Jiao Tong University', 'Zhejiang University', 'Fudan University',
  'University of Science and Technology of China', 'Shanghai AI Laboratory', 'The Chinese University of Hong Kong',
  'HKUST', 'The University of Hong Kong', 'National University of Singapore', 'Nanyang Technological University',
  'KAIST', 'Seoul National University', 'The University of Tokyo', 'Stanford University', 'MIT',
  'Carnegie Mellon University', 'UC Berkeley', 'University of Washington', 'Princeton University', 'New York University',
  'University of Illinois Urbana-Champaign', 'Georgia Institute of Technology', 'University of Toronto', 'Mila',
  'University of Oxford', 'University of Cambridge', 'ETH Zurich', 'EPFL', 'Max Planck Institute for Intelligent Systems',
  'Technical University of Munich', 'University of Amsterdam', 'Sorbonne University', 'IIT Bombay', 'IISc Bangalore',
  'Allen Institute for AI', 'Tel Aviv University', 'KAUST', 'University of Edinburgh',
];

/** Hugging Face organizations papers are listed under (invented, so no real lab is misquoted). */
export const ORGANIZATIONS: readonly string[] = [
  'OpenVisionLab', 'HelixAI', 'Polaris Research', 'LumenLabs', 'CascadeAI', 'Meridian AI Institute', 'NorthwindRobotics',
  'AtlasFM', 'QuantaSpeech', 'BioFold', 'SparrowSystems', 'Zephyr Reasoning', 'Prism Multimodal', 'Orion Agents',
];

export const JOURNALS: readonly { readonly name: string; readonly doi: string | null }[] = [
  { name: 'IEEE Transactions on Pattern Analysis and Machine Intelligence', doi: '10.1109/TPAMI' },
  { name: 'Transactions on Machine Learning Research', doi: null },
  { name: 'Journal of Machine Learning Research', doi: null },
  { name: 'Nature Machine Intelligence', doi: '10.1038/s42256' },
  { name: 'International Journal of Computer Vision', doi: '10.1007/s11263' },
];
