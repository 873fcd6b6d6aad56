#!/usr/bin/env python3
"""Writes a legacy proof folder: N records of about SIZE bytes, one *.json file each.

    python3 generate_legacy.py OUT_DIR [--count 10000] [--size 4096] [--duplicates 0.05] [--seed 1]

Each file is {"id","imageHash","createdAt","proof","metadata"}; a fraction of records repeat an earlier image
(the old system never deduplicated), with the same proof, as the old system stored it twice.
"""
import argparse, base64, hashlib, json, os, random

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out")
    parser.add_argument("--count", type=int, default=10000)
    parser.add_argument("--size", type=int, default=4096)
    parser.add_argument("--duplicates", type=float, default=0.05)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    os.makedirs(args.out, exist_ok=True)
    images = []
    for i in range(args.count):
        if images and rng.random() < args.duplicates:
            image, proof = rng.choice(images)
        else:
            image = hashlib.sha256(f"image-{args.seed}-{i}".encode()).hexdigest()
            signature = base64.b64encode(rng.randbytes(max(16, (args.size - 600) * 3 // 4))).decode()
            proof = {"alg": "ES256", "kid": "legacy-2019", "payload": {"image": image, "n": i}, "signature": signature}
            images.append((image, proof))
        record = {
            "id": f"legacy-{i:07d}",
            "imageHash": image,
            "createdAt": f"2019-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:{i % 60:02d}:{(i * 7) % 60:02d}.{i % 1000:03d}Z",
            "proof": proof,
            "metadata": {"camera": "Nikon Z6", "place": "Zürich", "n": str(i)},
        }
        with open(os.path.join(args.out, f"legacy-{i:07d}.json"), "w", encoding="utf-8") as f:
            json.dump(record, f, ensure_ascii=False, separators=(",", ":"))

if __name__ == "__main__":
    main()
