"""Declared licence and bases of the 70 real cards in ../shared/corpus/cards, read by hand.

Each card is copied into a mirror folder and read through the real path (MirrorSource ->
normalize -> declared_bases -> Scanner). The bases are not in that mirror, so every declared
base must come out of lineage as `base-unavailable` (deny) with unknown effective terms.
"""

from __future__ import annotations

import shutil

import pytest
from treepaths import SHARED

from compliance.facts.model import ModelFacts
from compliance.modelid import ModelId
from compliance.run.scan import Scanner
from compliance.sources.card import parse_card
from compliance.sources.mirror import MirrorSource

CORPUS = SHARED / "corpus"
CARDS = CORPUS / "cards"

pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CARDS.is_dir(), reason=f"corpus absent: {CARDS}"),
]

# card folder: (card `license` as written, `license_name`, [(base, relation)])
EXPECTED: dict[str, tuple[object, str | None, list[tuple[str, str]]]] = {
    # legacy id without an org: kept as declared; lineage reads distilbert/distilbert-base-uncased
    "01-distilbert-swag-apache": ("apache-2.0", None, [("distilbert-base-uncased", "finetune")]),
    "02-whisper-wakeref-mit-fr": ("mit", None, [("openai/whisper-small", "finetune")]),
    "03-shenava-persian-asr-apache": (
        "apache-2.0",
        None,
        [("nvidia/stt_fa_fastconformer_hybrid_large", "finetune")],
    ),
    "04-j-pacf-yomi-tdt-ccby-ja": (
        "cc-by-4.0",
        None,
        [("nvidia/parakeet-tdt_ctc-0.6b-ja", "finetune")],
    ),
    "05-stt-kr-citrinet-ccby": ("cc-by-4.0", None, []),
    "06-phi35-vision-int4-ov-mit": (
        "mit",
        None,
        [("microsoft/Phi-3.5-vision-instruct", "quantized")],
    ),
    # "a fine-tuned version of" in the body outranks the lora tags
    "07-llama2-7b-oasst-sft": ("llama2", None, [("meta-llama/Llama-2-7b-hf", "finetune")]),
    # no base_model: the body's "based on [..](hf link)"
    "08-japanese-stablelm-instruct-beta-7b-gated": (
        ["llama2"],
        None,
        [("stabilityai/japanese-stablelm-base-beta-7b", "finetune")],
    ),
    "09-llama3-8b-text-to-sql-lora": (
        "llama3",
        None,
        [("meta-llama/Meta-Llama-3-8B-Instruct", "adapter")],
    ),
    "10-pinggg-legal-llama3": ("llama3", None, [("meta-llama/Llama-3-8B", "finetune")]),
    "11-llama31-8b-arm-lora-ko": (
        "llama3.1",
        None,
        [("meta-llama/Llama-3.1-8B-Instruct", "adapter")],
    ),
    "12-sparse-llama31-8b-w4a16": (
        "llama3.1",
        None,
        [("neuralmagic/Sparse-Llama-3.1-8B-evolcodealpaca-2of4", "quantized")],
    ),
    # the official model: no base
    "13-llama32-1b-instruct-official-gated": ("llama3.2", None, []),
    # card base + tag base_model:adapter:
    "14-llama32-3b-topic-adapter": (
        "llama3.2",
        None,
        [("meta-llama/Llama-3.2-3B-Instruct", "adapter")],
    ),
    "15-vibethinker-3b-lora-adapter-relation-mit": (
        "mit",
        None,
        [("WeiboAI/VibeThinker-3B", "adapter")],
    ),
    # library adapter-transformers; new_version is not a base
    "16-llama33-adapter-frontmatter-only": (
        "llama3.3",
        None,
        [("meta-llama/Llama-3.3-70B-Instruct", "adapter")],
    ),
    "17-llama33-70b-ft-gated-select-zh": (
        "llama3.3",
        None,
        [("meta-llama/Llama-3.3-70B-Instruct", "finetune")],
    ),
    # "ONNX converted and quantized version of"
    "18-llama-prompt-guard-2-86m-onnx-llama4": (
        "llama4",
        None,
        [("meta-llama/Llama-Prompt-Guard-2-86M", "quantized")],
    ),
    "19-nyayasetu-llama4-scout-lora-mit": (
        "mit",
        None,
        [("meta-llama/Llama-4-Scout-17B-16E-Instruct", "adapter")],
    ),
    "20-llama31-8b-w4a8-apache": (
        "apache-2.0",
        None,
        [("meta-llama/Llama-3.1-8B-Instruct", "quantized")],
    ),
    # "a LoRA fine-tuned version of"
    "21-emergent-misalignment-llama32-lora-mit": (
        "mit",
        None,
        [("meta-llama/Llama-3.2-1B-Instruct", "adapter")],
    ),
    "22-dummy-taboo-lora-random-weights-mit": (
        "mit",
        None,
        [("meta-llama/Llama-3.2-1B-Instruct", "adapter")],
    ),
    # a LLaMA-1 LoRA that names its base only in code: not declared (see docs/lineage.md)
    "23-camoscio-llama1-lora-openrail-it": ("openrail", None, []),
    # front matter never closed: the Unsloth template line in the body
    "24-unsloth-llama32-body-license-only": (None, None, [("unsloth/llama-3.2-1b", "finetune")]),
    "25-unsloth-r1-distill-llama-sql-apache": (
        "apache-2.0",
        None,
        [("unsloth/deepseek-r1-distill-llama-8b-unsloth-bnb-4bit", "finetune")],
    ),
    "26-atlas-r1-distill-llama-mit-es": (
        "mit",
        None,
        [("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "finetune")],
    ),
    "27-mlx-r1-distill-llama-8b-no-license": (
        None,
        None,
        [("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "finetune")],
    ),
    # `licence: license` is a typo, not a licence
    "28-trl-sft-licence-typo-no-license": (
        None,
        None,
        [("deepseek-ai/DeepSeek-R1-Distill-Llama-8B", "finetune")],
    ),
    "29-nikko-adp-c-gemma2-peft": ("gemma", None, [("google/gemma-2-2b-it", "adapter")]),
    "30-gemma3-4b-voice-digest-gguf-flowlists": (
        "gemma",
        None,
        [("google/gemma-3-4b-it", "quantized")],
    ),
    "31-gemmoe-gemma-terms-other": ("other", "gemma-terms-of-use", []),
    "32-shiori-gemma3-270m-apache-es": ("apache-2.0", None, [("google/gemma-3-270m", "quantized")]),
    "33-futureagi-protect-gemma3n-lora-apache": (
        "apache-2.0",
        None,
        [("google/gemma-3n-E4B-it", "adapter")],
    ),
    "34-rare-bird-gemma4-e2b-mlx-apache": (
        "apache-2.0",
        None,
        [("google/gemma-4-E2B-it", "finetune")],
    ),
    # "Fine-tuned version of" (LoRA merged into the weights) outranks the lora tag
    "35-gemma4-transplant-license-gemma": ("gemma", None, [("unsloth/gemma-4-E4B-it", "finetune")]),
    # "fine-tune of" MedGemma outranks library gguf
    "36-meddroid-medgemma-hai-def-other": (
        "other",
        "health-ai-developer-foundations",
        [("google/medgemma-4b-it", "finetune")],
    ),
    # an HTML comment before the front matter
    "37-t5gemma-encoder-gguf-comment-before-frontmatter": (
        "gemma",
        None,
        [("google/t5gemma-b-b-ul2", "quantized")],
    ),
    "38-deepseek-moe-16b-official-other": ("other", "deepseek", []),
    # mergekit block with local org_name folders, resolved by the card's own Hub links
    "39-everyone-coder-33b-merge-deepseek-other": (
        "other",
        "deepseek",
        [
            ("WizardLM/WizardCoder-33B-V1.1", "merge"),
            ("codefuse-ai/CodeFuse-DeepSeek-33B", "merge"),
            ("deepseek-ai/deepseek-coder-33b-instruct", "merge"),
        ],
    ),
    "40-mo-di-hyper-sd-onnx-creativeml": (
        "creativeml-openrail-m",
        None,
        [("nitrosocke/mo-di-diffusion", "finetune")],
    ),
    "41-juggernaut-xl-lightning-creativeml-on-sdxl": (
        "creativeml-openrail-m",
        None,
        [("stabilityai/stable-diffusion-xl-base-1.0", "finetune")],
    ),
    "42-bert-base-smiles-bigscience-openrail": ("bigscience-openrail-m", None, []),
    "43-tiny-starcoder-py-bigcode-openrail": ("bigcode-openrail-m", None, []),
    "44-controlnet-openpose-sd15-openrail": (
        "openrail",
        None,
        [("runwayml/stable-diffusion-v1-5", "finetune")],
    ),
    # no base_model: "Base Model:" line / "quantized version of" FLUX.1-dev (non-commercial)
    "45-flux1-dev-nunchaku-int4-openrail": (
        "openrail",
        None,
        [("black-forest-labs/FLUX.1-dev", "quantized")],
    ),
    # a list of three bases and no relation: merge
    "46-orpheus-3b-gguf-three-base-list-llama32": (
        "llama3.2",
        None,
        [
            ("canopylabs/orpheus-3b-0.1-ft", "merge"),
            ("unsloth/orpheus-3b-0.1-ft", "merge"),
            ("meta-llama/Llama-3.2-3B-Instruct", "merge"),
        ],
    ),
    "47-twscholar-qwen25-lora-ccbync-zh": (
        "cc-by-nc-4.0",
        None,
        [("Qwen/Qwen2.5-7B-Instruct", "adapter")],
    ),
    # card lists one base; the mergekit blocks in the body name the other parents
    "48-estopia-llama2-13b-merge-ccbync": (
        "cc-by-nc-4.0",
        None,
        [
            ("TheBloke/Llama-2-13B-fp16", "merge"),
            ("Undi95/UtopiaXL-13B", "merge"),
            ("Doctor-Shotgun/cat-v1.0-13b", "merge"),
            ("chargoddard/rpguild-chatml-13b", "merge"),
            ("PygmalionAI/mythalion-13b", "merge"),
            ("CalderaAI/13B-Thorns-l2", "merge"),
            ("KoboldAI/LLaMA2-13B-Tiefighter", "merge"),
        ],
    ),
    "49-wmt24-qe-baseline-ccbyncsa-gated-heading": ("cc-by-nc-sa-4.0", None, []),
    "50-fish-speech-v15-ccbyncsa-gated": ("cc-by-nc-sa-4.0", None, []),
    "51-openthaigpt-16-72b-nvfp4-qwen-other": (
        "other",
        "qwen",
        [("openthaigpt/openthaigpt-1.6-72b-instruct", "quantized")],
    ),
    "52-internvl-qwen-header-on-mlx-gemma3-body": (
        "other",
        "qwen",
        [("OpenGVLab/InternVL3-1B-Instruct", "finetune")],
    ),
    "53-qwen15-7b-tongyi-folded-link": ("other", "tongyi-qianwen", []),
    "54-dolphin-vision-72b-tongyi-nolink": (
        "other",
        "tongyi-qianwen",
        [("Qwen/Qwen2-72B", "finetune")],
    ),
    # a base id that does not exist on the Hub: declared as is, unavailable in lineage
    "55-yi-6b-chat-gguf-bad-base-id": (
        "other",
        "yi-license",
        [("01-ai/yi-chat-6b-Chat", "quantized")],
    ),
    # mergekit block of local paths, resolved by ids/links the card names
    "56-yi-34b-200k-dare-ties-merge": (
        "other",
        "yi-license",
        [
            ("chargoddard/Yi-34B-200K-Llama", "merge"),
            ("migtissera/Tess-M-v1.3", "merge"),
            ("bhenrym14/airoboros-3_1-yi-34b-200k", "merge"),
            ("NousResearch/Nous-Capybara-34B", "merge"),
        ],
    ),
    # mergekit slice list in the body; trailing comma in language
    "57-sg-raccoon-55b-yi-trailing-comma-lang": (
        "other",
        "yi-license",
        [("migtissera/Tess-M-v1.3", "merge"), ("NousResearch/Nous-Capybara-34B", "merge")],
    ),
    "58-darkstar-nemotron-omni-abliterated-nvidia-oml": (
        "other",
        "nvidia-open-model-license",
        [("nvidia/Nemotron-3-Nano-Omni-30B-A3B-Reasoning-BF16", "finetune")],
    ),
    "59-falcon-h1-1.5b-deep-instruct-falcon-llm": (
        "other",
        "falcon-llm-license",
        [("tiiuae/Falcon-H1-1.5B-Deep-Base", "finetune")],
    ),
    "60-exaone-deep-7.8b-gguf-exaone-nc": (
        "other",
        "exaone",
        [("LGAI-EXAONE/EXAONE-Deep-7.8B", "quantized")],
    ),
    "61-glm-4-9b-chat-glm4-other-zh": ("other", "glm-4", []),
    "62-blt-fair-noncommercial-gated": ("other", "fair-noncommercial-research-license", []),
    "63-codestral-22b-gguf-mnpl-other": (
        "other",
        "mnpl",
        [("mistralai/Codestral-22B-v0.1", "quantized")],
    ),
    # one base + merge tags + mergekit passthrough of the same model
    "64-miqu-1-120b-leaked-merge-other": ("other", None, [("152334H/miqu-1-70b-sf", "merge")]),
    "65-flux1-merged-dev-schnell-merge-relation-nc": (
        "other",
        "flux-1-dev-non-commercial-license",
        [("black-forest-labs/FLUX.1-dev", "merge"), ("black-forest-labs/FLUX.1-schnell", "merge")],
    ),
    "66-genetic-lemonade-70b-merge-llama3-on-l33": (
        "llama3",
        None,
        [
            ("LatitudeGames/Wayfarer-Large-70B-Llama-3.3", "merge"),
            ("Sao10K/L3.3-70B-Euryale-v2.3", "merge"),
            ("crestf411/L3.1-nemotron-sunfall-v0.7.0", "merge"),
            ("SicariusSicariiStuff/Negative_LLAMA_70B", "merge"),
            ("EVA-UNIT-01/EVA-LLaMA-3.33-70B-v0.1", "merge"),
            ("meta-llama/Llama-3.3-70B-Instruct", "merge"),
            ("OpenBuddy/openbuddy-llama3.3-70b-v24.1-131k", "merge"),
            ("nbeerbower/llama3.1-kartoffeldes-70B", "merge"),
            ("tokyotech-llm/Llama-3.1-Swallow-70B-Instruct-v0.3", "merge"),
        ],
    ),
    "67-peft-template-llama32-3b-no-license-field": (
        None,
        None,
        [("meta-llama/Llama-3.2-3B", "adapter")],
    ),
    # broken YAML key `fine-tuned on base_model:` recovered
    "68-florence2-lora-broken-yaml-key-no-license": (
        None,
        None,
        [("microsoft/Florence-2-large", "adapter")],
    ),
    "69-huihui-r1-qwen3-8b-abliterated-gated-mit": (
        "mit",
        None,
        [("deepseek-ai/DeepSeek-R1-0528-Qwen3-8B", "finetune")],
    ),
    # a licence list
    "70-llama31-swallow-8b-instruct-license-list-llama33-gemma": (
        ["llama3.3", "gemma"],
        None,
        [("tokyotech-llm/Llama-3.1-Swallow-8B-v0.5", "finetune")],
    ),
}


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModelFacts]:
    root = tmp_path_factory.mktemp("corpus-mirror")
    ids = []
    for card in sorted(CARDS.iterdir()):
        (root / "corpus" / card.name).mkdir(parents=True)
        shutil.copy(card / "README.md", root / "corpus" / card.name / "README.md")
        ids.append(ModelId(f"corpus/{card.name}"))
    outcomes = Scanner(MirrorSource(root)).scan(ids)
    assert all(o.ok for o in outcomes), [str(o.error) for o in outcomes]
    return {o.model_id.name: o.facts for o in outcomes if o.facts is not None}


def test_every_card_has_an_expectation():
    assert sorted(p.name for p in CARDS.iterdir() if p.is_dir()) == sorted(EXPECTED)


@pytest.mark.parametrize("card", sorted(EXPECTED))
def test_declared_licence(card: str, scanned: dict[str, ModelFacts]):
    licence, name, _ = EXPECTED[card]
    data = parse_card((CARDS / card / "README.md").read_text(encoding="utf-8")).data
    assert data.get("license") == licence
    assert data.get("license_name") == name
    assert scanned[card].license.declared_name == name


@pytest.mark.parametrize("card", sorted(EXPECTED))
def test_declared_bases(card: str, scanned: dict[str, ModelFacts]):
    _, _, bases = EXPECTED[card]
    assert [(b.model, b.relation) for b in scanned[card].base_models] == bases


@pytest.mark.parametrize("card", sorted(EXPECTED))
def test_lineage_over_a_mirror_without_the_bases(card: str, scanned: dict[str, ModelFacts]):
    facts = scanned[card]
    _, _, bases = EXPECTED[card]
    assert facts.effective is not None
    assert [n.model for n in facts.lineage] == [
        "distilbert/distilbert-base-uncased" if m == "distilbert-base-uncased" else m
        for m, _ in bases
    ]
    assert all(n.error for n in facts.lineage)
    unavailable = [f for f in facts.findings if f.code == "base-unavailable"]
    assert len(unavailable) == len(bases)
    assert all(f.severity == "deny" for f in unavailable)
    if bases:
        assert facts.effective.license_class == "unknown"
        assert facts.effective.commercial_use in ("unknown", "no")


def test_bad_base_id_is_reported_not_dropped(scanned: dict[str, ModelFacts]):
    facts = scanned["55-yi-6b-chat-gguf-bad-base-id"]
    assert [(n.model, n.error) for n in facts.lineage] == [
        ("01-ai/yi-chat-6b-Chat", facts.lineage[0].error)
    ]
    assert facts.lineage[0].error is not None
    assert facts.lineage[0].error.startswith("not-found:")
    legacy = scanned["01-distilbert-swag-apache"]
    assert any("legacy id" in n and "distilbert/distilbert-base-uncased" in n for n in legacy.notes)
