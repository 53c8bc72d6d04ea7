"""Writes evidence.sh's one markdown table from the files in its output directory (argv[1]): what each step
returned, Amalgam's figures next to the same work in PyTorch on the same device, and the issue's goal for each.
Only figures that were measured are printed; a missing one reads "not measured" with the step that failed."""
import json
import os
import sys


def read(out, name):
    path = os.path.join(out, name)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.load(f) if name.endswith(".json") else f.read().strip()


def amalgam_sgemm(bench):
    """{n: TFLOP/s} from JMH's JSON (average time, ms per operation)."""
    result = {}
    for row in bench or []:
        n = int(row["params"]["n"])
        ms = row["primaryMetric"]["score"]
        result[n] = 2 * n**3 / ms / 1e9
    return result


def figure(value):
    return f"{value:.2f}" if value else "not measured"


def main(out):
    lines = ["# GPU evidence (bench/gpu/evidence.sh)", ""]
    machine = read(out, "machine.txt")
    lines += ["```", machine or "machine.txt missing", "```", ""]
    lines += ["| step | exit code | meaning |", "|---|---|---|"]
    meanings = {"selfcheck": "0 all agree with the reference, 1 a kernel disagrees, 2 CUDA could not start",
                "bench-sgemm": "JMH GemmBench impl=cuda", "peers": "PyTorch peers"}
    for step, meaning in meanings.items():
        rc, log = read(out, step + ".rc"), read(out, step + ".log")
        # A failed step's last line is its reason (selfcheck's one-line error, a Python traceback's last line).
        if rc not in (None, "0") and log:
            meaning += ": " + log.splitlines()[-1].replace("|", "\\|")
        lines.append(f"| {step} | {rc or 'not run'} | {meaning} |")
    lines.append("")

    ours = amalgam_sgemm(read(out, "bench-sgemm.json"))
    peers = read(out, "peers.json") or {}
    cublas = {(g["n"], g["tf32"]): g["tflops"] for g in peers.get("gemm", [])}
    lines += ["| work | Amalgam | PyTorch (same device) | Amalgam / PyTorch | goal |", "|---|---|---|---|---|"]
    for n in (1024, 4096):
        mine, peer = ours.get(n), cublas.get((n, False))
        ratio = f"{100 * mine / peer:.0f}%" if mine and peer else "—"
        goal = "≥ 70% of cuBLAS" if n == 4096 else ""
        lines.append(f"| SGEMM FP32 n={n}, TFLOP/s (Amalgam incl. host↔device copies) | {figure(mine)} | "
                     f"{figure(peer)} | {ratio} | {goal} |")
    for n in (1024, 4096):
        peer = cublas.get((n, True))
        lines.append(f"| TF32 GEMM n={n}, TFLOP/s | not selectable yet (issue 14: cuda-tf32) | {figure(peer)} | — | "
                     f"≥ 50% of cuBLAS TF32 |")
    copy = peers.get("copy")
    bandwidth = f"{copy['gbs']:.0f}" if copy else "not measured"
    lines.append(f"| device-to-device copy, GB/s (TIES/DARE/selection goal: ≥ 60% of it) | no device-resident "
                 f"merge benchmark yet | {bandwidth} | — | reference |")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1])
