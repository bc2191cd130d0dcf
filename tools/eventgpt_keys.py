#!/usr/bin/env python
"""Derive the weight names of the released EventGPT-7b checkpoint from EventGPT's public model code, at 7B size, on
the meta device (no weights, no download), and write them one per line. The committed result is
`nbs/fixtures/eventgpt_7b_keys.txt`, which `03_models` checks the project's port against, so a renamed module fails.

  python tools/eventgpt_keys.py /path/to/XduSyL-EventGPT-checkout > nbs/fixtures/eventgpt_7b_keys.txt

The public code (`model/EventChatModel.py` of XduSyL/EventGPT) builds its CLIP tower with `from_pretrained` of the
folder its config names (`mm_visual_tower`); here that one call is replaced by the same class at CLIP ViT-L/14-336's
configuration, on the meta device. The release was saved with transformers 4.x, whose `CLIPVisionModel` keeps its
weights under `vision_model.`; transformers 5 dropped that level, so it is put back (the checkpoint's names)."""
import sys, torch
from pathlib import Path
from transformers import CLIPVisionConfig, CLIPVisionModel
from xmodal_sd.models import CLIP_L14_336, eventchat_original_keys

repo = Path(sys.argv[1]).resolve()
sys.path.insert(0, str(repo))
import model.EventChatModel as public                                   # EventGPT's own module

def _tower_init(self, name):
    torch.nn.Module.__init__(self)
    self.visual_tower_name, self.event_processor = name, None
    self.visual_tower = CLIPVisionModel(CLIPVisionConfig(**CLIP_L14_336))
public.VisualTower.__init__ = _tower_init

cfg = public.EventChatConfig(hidden_size=4096, intermediate_size=11008, num_hidden_layers=32, num_attention_heads=32,
                             num_key_value_heads=32, vocab_size=32000, max_position_embeddings=4096,
                             mm_visual_tower='clip-vit-large-patch14-336', event_feature_adaptor=True)
with torch.device('meta'): m = public.EventChatModel(cfg)
print('\n'.join(sorted(eventchat_original_keys(m.state_dict()))))
