#!/usr/bin/env python3
"""Writes the standard FID feature network as a TorchScript file for gankit's --backbone.

    python3 scripts/export-inception.py --out inception-fid.pt

Needs PyTorch and torchvision (Debian: python3-torch python3-torchvision, or pip) and, once,
internet access to download pytorch-fid's weights, pt_inception-2015-12-05-6726825d.pth (the
TF Inception v3 graph of the original FID code, converted by pytorch-fid), from
  https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/pt_inception-2015-12-05-6726825d.pth
(or pass --weights FILE where the file was downloaded elsewhere).

What the file computes (gankit's backbone contract):
  input   float32 (N, 3, 299, 299), RGB, values 0..255 (gankit resizes with --resize first)
  output  float32 (N, 2048): the pool3 features (the global average pool before the classifier)
  attribute input_size = 299
Inside: x / 255 * 2 - 1, then Inception v3 with FID's variants of the blocks, as the TF graph
has them: the average pools of Mixed_5b..5d, 6b..6e and 7b exclude padding from their mean, and
Mixed_7c pools with a 3x3 max instead of an average. The classifier (1008 classes) is dropped.
This is pytorch-fid's network with resize_input=False and normalize_input=True; gan-eval fid
--resize legacy-pytorch then gives pytorch-fid's numbers, --resize clean clean-fid's resizing.

--random-weights writes the same architecture with random (He-normal) weights: gankit's tests
use it to check the whole path (TorchScript loading, resizing, batching) against PyTorch here,
where the real weights cannot be downloaded. Its features mean nothing.
"""
import argparse
import hashlib
import sys

import torch
import torch.nn.functional as F
import torchvision
from torchvision.models import inception as tv

WEIGHTS_URL = ("https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/"
               "pt_inception-2015-12-05-6726825d.pth")


class FidA(tv.InceptionA):  # average pool without the padding
    def forward(self, x):
        b1 = self.branch1x1(x)
        b5 = self.branch5x5_2(self.branch5x5_1(x))
        b3 = self.branch3x3dbl_3(self.branch3x3dbl_2(self.branch3x3dbl_1(x)))
        bp = self.branch_pool(F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False))
        return torch.cat([b1, b5, b3, bp], 1)


class FidC(tv.InceptionC):
    def forward(self, x):
        b1 = self.branch1x1(x)
        b7 = self.branch7x7_3(self.branch7x7_2(self.branch7x7_1(x)))
        bd = self.branch7x7dbl_1(x)
        bd = self.branch7x7dbl_5(self.branch7x7dbl_4(self.branch7x7dbl_3(self.branch7x7dbl_2(bd))))
        bp = self.branch_pool(F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False))
        return torch.cat([b1, b7, bd, bp], 1)


class FidE(tv.InceptionE):
    def __init__(self, in_channels, max_pool):
        super().__init__(in_channels)
        self.max_pool = max_pool

    def forward(self, x):
        b1 = self.branch1x1(x)
        b3 = self.branch3x3_1(x)
        b3 = torch.cat([self.branch3x3_2a(b3), self.branch3x3_2b(b3)], 1)
        bd = self.branch3x3dbl_2(self.branch3x3dbl_1(x))
        bd = torch.cat([self.branch3x3dbl_3a(bd), self.branch3x3dbl_3b(bd)], 1)
        if self.max_pool:
            bp = F.max_pool2d(x, 3, stride=1, padding=1)
        else:
            bp = F.avg_pool2d(x, 3, stride=1, padding=1, count_include_pad=False)
        return torch.cat([b1, b3, bd, self.branch_pool(bp)], 1)


class FidInceptionFeatures(torch.nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net
        self.input_size = 299

    def forward(self, x):
        n = self.net
        x = x / 255.0 * 2.0 - 1.0
        x = n.maxpool1(n.Conv2d_2b_3x3(n.Conv2d_2a_3x3(n.Conv2d_1a_3x3(x))))
        x = n.maxpool2(n.Conv2d_4a_3x3(n.Conv2d_3b_1x1(x)))
        x = n.Mixed_5d(n.Mixed_5c(n.Mixed_5b(x)))
        x = n.Mixed_6e(n.Mixed_6d(n.Mixed_6c(n.Mixed_6b(n.Mixed_6a(x)))))
        x = n.Mixed_7c(n.Mixed_7b(n.Mixed_7a(x)))
        return torch.flatten(F.adaptive_avg_pool2d(x, (1, 1)), 1)


def fid_inception():
    net = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=False, num_classes=1008)
    net.Mixed_5b, net.Mixed_5c, net.Mixed_5d = FidA(192, 32), FidA(256, 64), FidA(288, 64)
    net.Mixed_6b, net.Mixed_6c = FidC(768, 128), FidC(768, 160)
    net.Mixed_6d, net.Mixed_6e = FidC(768, 160), FidC(768, 192)
    net.Mixed_7b, net.Mixed_7c = FidE(1280, False), FidE(2048, True)
    return net


def randomize(net, seed):
    torch.manual_seed(seed)
    for m in net.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        elif isinstance(m, torch.nn.BatchNorm2d):
            torch.nn.init.ones_(m.weight)
            torch.nn.init.zeros_(m.bias)


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, help="the TorchScript file to write")
    p.add_argument("--weights", help="pt_inception-2015-12-05-6726825d.pth (default: download it)")
    p.add_argument("--random-weights", action="store_true", help="random weights (tests only)")
    p.add_argument("--seed", type=int, default=0, help="seed of --random-weights")
    a = p.parse_args()
    net = fid_inception()
    if a.random_weights:
        randomize(net, a.seed)
    else:
        if a.weights:
            state = torch.load(a.weights, map_location="cpu")
        else:
            state = torch.hub.load_state_dict_from_url(WEIGHTS_URL, progress=True, map_location="cpu")
        net.load_state_dict(state)
    model = FidInceptionFeatures(net.eval()).eval()
    scripted = torch.jit.script(model)
    scripted.save(a.out)
    digest = hashlib.sha256(open(a.out, "rb").read()).hexdigest()
    print(f"wrote {a.out}: input (N, 3, 299, 299) 0..255 -> (N, 2048) pool3 features; sha256 {digest}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
