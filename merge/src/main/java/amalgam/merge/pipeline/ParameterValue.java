package amalgam.merge.pipeline;

import java.util.List;
import java.util.Optional;

/**
 * One parameter's value as the user gave it: a single value, or mergekit's list of filter entries tried in order
 * (the first whose filter matches a module gives that module's value). Every entry remembers where it was given
 * ({@code --density}, or {@code merge.yml:7: parameters.density}) so that an error can point at it.
 */
public record ParameterValue(List<Entry> entries) {

    /** One value, for the modules {@code filter} matches. */
    public record Entry(ModuleFilter filter, Object value, String where) {}

    public ParameterValue {
        entries = List.copyOf(entries);
    }

    /** The same value for every module. */
    public static ParameterValue of(Object value, String where) {
        return new ParameterValue(List.of(new Entry(ModuleFilter.ALL, value, where)));
    }

    /** The entry that sets {@code module}'s value, if any does. */
    public Optional<Entry> forModule(String module) {
        return entries.stream().filter(e -> e.filter().matches(module)).findFirst();
    }

    /** Whether some entry applies to only some modules. */
    public boolean isFiltered() {
        return entries.size() != 1 || !entries.getFirst().filter().isAll();
    }

    /** Where it was given (its first entry), for errors about the parameter as a whole. */
    public String where() {
        return entries.getFirst().where();
    }

    /** The single value of an unfiltered parameter. */
    public Object value() {
        return entries.getFirst().value();
    }
}
