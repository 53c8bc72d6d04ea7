"""evidence_table.py on made-up inputs (no GPU needed): python3 -m unittest bench/gpu/evidence_table_test.py.
The inputs are synthetic, chosen so the expected ratios are easy to check by hand; they are not measurements."""
import contextlib
import io
import json
import os
import tempfile
import unittest

import evidence_table


class EvidenceTableTest(unittest.TestCase):

    def table(self, files):
        with tempfile.TemporaryDirectory() as out:
            for name, content in files.items():
                with open(os.path.join(out, name), "w") as f:
                    f.write(content if isinstance(content, str) else json.dumps(content))
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                evidence_table.main(out)
            return printed.getvalue()

    def test_ratio_of_amalgam_to_the_peer_on_the_same_device(self):
        n = 4096
        ms_for_one_tflops = 2 * n**3 / 1e9  # 1 TFLOP/s
        table = self.table({
            "selfcheck.rc": "0",
            "bench-sgemm.json": [{"params": {"n": str(n)}, "primaryMetric": {"score": ms_for_one_tflops}}],
            "peers.json": {"gemm": [{"n": n, "tf32": False, "tflops": 4.0}], "copy": {"gbs": 3000.0}},
        })
        self.assertIn("| SGEMM FP32 n=4096, TFLOP/s (Amalgam incl. host↔device copies) | 1.00 | 4.00 | 25% |", table)
        self.assertIn("| selfcheck | 0 |", table)
        self.assertIn("| 3000 |", table)

    def test_a_failed_step_shows_its_reason(self):
        table = self.table({"selfcheck.rc": "2",
                            "selfcheck.log": "amalgam: error: --backend: cuda was asked for but cannot run here: x"})
        self.assertIn("| selfcheck | 2 | 0 all agree with the reference, 1 a kernel disagrees, 2 CUDA could not start: "
                      "amalgam: error: --backend: cuda was asked for but cannot run here: x |", table)

    def test_missing_steps_say_not_run_or_not_measured(self):
        table = self.table({})
        self.assertIn("| selfcheck | not run |", table)
        self.assertIn("| not measured | not measured | — |", table)


if __name__ == "__main__":
    unittest.main()
