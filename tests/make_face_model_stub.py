# A stand-in for a YuNet face model (gan-data faces --model), for tests/test_faces_cli.cpp: no real
# model can be downloaded here. OpenCV 4.6's cv::FaceDetectorYN reads three outputs over its priors for
# the input size (320x320: N = 5875 priors of strides 8/16/32/64): loc (N, 14) box and landmark
# offsets, conf (N, 2) and iou (N, 1), the score being sqrt(conf[:, 1] * iou). This model gives
# zero everywhere except two priors of the last level (128 px boxes centred at (96, 160) and
# (224, 160), zero offsets) scored 0.95 and 0.85, whatever the photo: constant outputs made by
# 1x1 convolutions with zero weights (layers OpenCV's ONNX importer takes).
# Usage: python3 tests/make_face_model_stub.py OUT.onnx
import sys, torch
N0, N1, N2, N3 = 40 * 40 * 3, 20 * 20 * 2, 10 * 10 * 2, 5 * 5 * 3
N = N0 + N1 + N2 + N3
conf = torch.zeros(N, 2); iou = torch.zeros(N, 1)
for (w, h, score) in [(1, 2, 0.95), (3, 2, 0.85)]:
    i = N0 + N1 + N2 + (h * 5 + w) * 3
    conf[i, 1] = score; iou[i, 0] = score
def constant(values):  # a 1x1 convolution whose zero weights leave its bias: values, whatever the input
    conv = torch.nn.Conv2d(3, values.numel(), 1)
    torch.nn.init.zeros_(conv.weight)
    with torch.no_grad(): conv.bias.copy_(values.flatten())
    return conv
class Stub(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.loc, self.conf, self.iou = constant(torch.zeros(N, 14)), constant(conf), constant(iou)
    def forward(self, x):
        p = torch.nn.functional.avg_pool2d(x, 320)
        return self.loc(p).flatten(1), self.conf(p).flatten(1), self.iou(p).flatten(1)
torch.onnx.export(Stub(), torch.zeros(1, 3, 320, 320), sys.argv[1], input_names=['input'],
                  output_names=['loc', 'conf', 'iou'], opset_version=11)
