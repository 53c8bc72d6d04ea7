package amalgam.kernels;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The unary op codes the C and CUDA kernels compile from native/include/amalgam_ops.h are the Java ones. */
class OpCodesTest {

    private static final Path OPS_HEADER = Path.of("..", "native", "include", "amalgam_ops.h");

    @Test
    void unaryOpListOfTheKernelsIsTheJavaEnumInOrder() throws IOException {
        String header = Files.readString(OPS_HEADER);
        Matcher list = Pattern.compile("#define AMALGAM_UNARY_OPS\\(X\\)((?:[^\\n]*\\\\\\n)*[^\\n]*)").matcher(header);
        assertTrue(list.find(), OPS_HEADER + " has no AMALGAM_UNARY_OPS list");
        List<String> kernelNames = Pattern.compile("X\\((\\w+),").matcher(list.group(1)).results()
                .map(m -> m.group(1)).toList();
        List<String> javaNames = Arrays.stream(UnaryOp.values()).map(Enum::name).toList();
        assertEquals(javaNames, kernelNames, "UnaryOp and " + OPS_HEADER + " must list the same ops in the same order");
        for (UnaryOp op : UnaryOp.values()) assertEquals(kernelNames.indexOf(op.name()), OpCodes.of(op), op.name());
    }
}
