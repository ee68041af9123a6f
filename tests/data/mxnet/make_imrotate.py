"""Freeze MXNet 1.9.1's mx.image.imrotate / random_rotate results (tests/test_image.py).
Run with MXNet 1.9.1: python make_imrotate.py > imrotate.json"""
import mxnet as mx, numpy as np, json
img = mx.nd.array(np.arange(2 * 5 * 7).reshape(2, 5, 7).astype('float32'))
out = {}
for deg, zi, zo in ((30, False, False), (90, False, False), (-45, True, False), (60, False, True)):
    out[f"{deg}-{zi}-{zo}"] = mx.image.imrotate(img, deg, zoom_in=zi, zoom_out=zo).asnumpy().round(4).tolist()
np.random.seed(3)
batch = mx.nd.stack(img, img * 2)
out["random"] = mx.image.random_rotate(batch, (-30, 30)).asnumpy().round(4).tolist()
print(json.dumps(out))
