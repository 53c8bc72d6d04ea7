package amalgam.merge.pipeline;

import amalgam.merge.algorithms.MethodParameter;
import java.util.List;
import java.util.Map;

/**
 * What the user asked a merge to do, before validation, from the command line ({@link MergeOptions#request}) or
 * a config file ({@link MergeConfig}): the method's name, the parameters given for the whole merge and those given
 * for single adapters (one map per adapter, in input order), and the output type. {@link MergePlan#of} checks it
 * against the parameters the method declares; both sources go through that one check.
 *
 * @param dtype null: the inputs' type
 */
public record MergeRequest(Source source, String method, String methodWhere,
                           Map<MethodParameter, ParameterValue> parameters,
                           List<Map<MethodParameter, ParameterValue>> adapterParameters,
                           String dtype, String dtypeWhere) {

    /** Where a request came from, which decides how hints in errors are spelled. */
    public enum Source { FLAGS, CONFIG }

    public MergeRequest {
        parameters = Map.copyOf(parameters);
        adapterParameters = adapterParameters.stream().map(Map::copyOf).toList();
    }

    public int adapters() {
        return adapterParameters.size();
    }

    /** How the user writes "p is value" in this request's source: {@code --semantics mergekit} or {@code semantics: mergekit}. */
    String spell(MethodParameter p, String value) {
        return source == Source.FLAGS ? p.option() + " " + value : p.key() + ": " + value;
    }

    /** How the user names p in this request's source. */
    String spell(MethodParameter p) {
        return source == Source.FLAGS ? p.option() : p.key();
    }
}
