package dev.sluice.pipelines.report;

import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.beam.sdk.Pipeline;
import org.apache.beam.sdk.PipelineResult;
import org.apache.beam.sdk.io.Read;
import org.apache.beam.sdk.metrics.Counter;
import org.apache.beam.sdk.metrics.MetricResult;
import org.apache.beam.sdk.metrics.Metrics;
import org.apache.beam.sdk.metrics.MetricsFilter;
import org.apache.beam.sdk.runners.AppliedPTransform;
import org.apache.beam.sdk.runners.PTransformOverride;
import org.apache.beam.sdk.runners.PTransformOverrideFactory;
import org.apache.beam.sdk.runners.TransformHierarchy;
import org.apache.beam.sdk.transforms.Combine;
import org.apache.beam.sdk.transforms.DoFn;
import org.apache.beam.sdk.transforms.PTransform;
import org.apache.beam.sdk.transforms.ParDo;
import org.apache.beam.sdk.transforms.Reshuffle;
import org.apache.beam.sdk.transforms.reflect.DoFnSignatures;
import org.apache.beam.sdk.util.construction.PTransformReplacements;
import org.apache.beam.sdk.util.construction.ReplacementOutputs;
import org.apache.beam.sdk.values.PCollection;
import org.apache.beam.sdk.values.PCollectionTuple;
import org.apache.beam.sdk.values.PValue;
import org.apache.beam.sdk.values.TupleTag;

/**
 * Element counts of a pipeline's edges, for the picture of a finished run ({@code --graph}): before
 * the run, every {@code ParDo} of the constructed pipeline is replaced (Beam's {@link
 * PTransformOverride}, as runners rewrite a graph) by the same {@code ParDo} followed, on each of
 * its outputs, by a step that counts the elements and passes them on unchanged. A {@code ParDo}
 * whose main input comes from another kind of step (a {@code GroupByKey}, a read, a {@code
 * Flatten}, a {@code Combine}) also counts that input, at its first consumer. Counters are in the
 * namespace {@value #NAMESPACE}, named by the {@code PCollection}'s name; {@link #of} reads them
 * back.
 *
 * <p>Only a run with {@code --graph} is rewritten: the counting steps cost one more {@code DoFn}
 * call per element and edge (fused with the step before, no shuffle). The {@code ParDo}s inside a
 * {@code Combine}, a {@code Read} or a {@code Reshuffle} are left as they are, since runners
 * translate those whole, and so are stateful and splittable {@code DoFn}s (a Flink savepoint finds
 * state by step name), whose consumers count their outputs; an edge between two steps that are
 * neither a {@code ParDo} nor fed by one (a read into a {@code GroupByKey}) has no count. Step
 * names in the metrics gain a level ({@code X/ReadPageViews/Counted} for {@code X/ReadPageViews}).
 */
final class EdgeCounts {

  /** The namespace of the edge counters. */
  static final String NAMESPACE = "sluice.edges";

  private final Map<String, Long> counts;

  private EdgeCounts(Map<String, Long> counts) {
    this.counts = counts;
  }

  /** No counts: the picture before a run. */
  static EdgeCounts none() {
    return new EdgeCounts(Map.of());
  }

  /** The counts of a finished run that was {@linkplain #instrument instrumented}. */
  static EdgeCounts of(PipelineResult result) {
    Map<String, Long> counts = new HashMap<>();
    for (MetricResult<Long> counter :
        result.metrics().queryMetrics(MetricsFilter.builder().build()).getCounters()) {
      if (counter.getName().getNamespace().equals(NAMESPACE)) {
        counts.merge(counter.getName().getName(), RunSummary.valueOf(counter), Long::sum);
      }
    }
    return new EdgeCounts(counts);
  }

  /** The count of the elements of the {@code PCollection} named {@code name}, or null. */
  Long count(String name) {
    return counts.get(name);
  }

  /**
   * Rewrites {@code pipeline} so that its run counts the elements of its edges, as the class says.
   * Call it once, after the graph is built and before it runs.
   */
  static void instrument(Pipeline pipeline) {
    Set<PTransform<?, ?>> toReplace = Collections.newSetFromMap(new IdentityHashMap<>());
    Set<PCollection<?>> countedAtProducer = new HashSet<>();
    Set<PCollection<?>> countedAtConsumer = new HashSet<>();
    pipeline.traverseTopologically(
        new Pipeline.PipelineVisitor.Defaults() {
          // Inside a transform that runners translate whole: its ParDos stay as they are.
          private final Deque<Boolean> insideWhole = new ArrayDeque<>(List.of(false));

          @Override
          public CompositeBehavior enterCompositeTransform(TransformHierarchy.Node node) {
            PTransform<?, ?> transform = node.getTransform();
            insideWhole.push(
                insideWhole.peek()
                    || transform instanceof Combine.PerKey
                    || transform instanceof Combine.Globally
                    || transform instanceof Combine.GroupedValues
                    || transform instanceof Read.Bounded
                    || transform instanceof Read.Unbounded
                    || transform instanceof Reshuffle
                    || transform instanceof Reshuffle.ViaRandomKey);
            return CompositeBehavior.ENTER_TRANSFORM;
          }

          @Override
          public void leaveCompositeTransform(TransformHierarchy.Node node) {
            insideWhole.pop();
          }

          @Override
          public void visitPrimitiveTransform(TransformHierarchy.Node node) {
            if (!(node.getTransform() instanceof ParDo.MultiOutput) || insideWhole.peek()) {
              return;
            }
            // A stateful or splittable DoFn keeps its name: a Flink savepoint finds its state by
            // the step's name, and runners expand splittable ones themselves. Its consumers count
            // its outputs.
            DoFn<?, ?> fn = ((ParDo.MultiOutput<?, ?>) node.getTransform()).getFn();
            if (DoFnSignatures.isStateful(fn) || DoFnSignatures.isSplittable(fn)) {
              return;
            }
            toReplace.add(node.getTransform());
            for (PValue output : node.getOutputs().values()) {
              countedAtProducer.add((PCollection<?>) output);
            }
          }
        });
    pipeline.replaceAll(
        List.of(
            PTransformOverride.of(
                application -> toReplace.contains(application.getTransform()),
                new CountingFactory(toReplace, countedAtProducer, countedAtConsumer))));
  }

  /** Replaces a {@code ParDo} by {@link Counted}, once. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class CountingFactory
      implements PTransformOverrideFactory<
          PCollection<Object>, PCollectionTuple, ParDo.MultiOutput<Object, Object>> {
    private final Set<PTransform<?, ?>> toReplace;
    private final Set<PCollection<?>> countedAtProducer;
    private final Set<PCollection<?>> countedAtConsumer;

    CountingFactory(
        Set<PTransform<?, ?>> toReplace,
        Set<PCollection<?>> countedAtProducer,
        Set<PCollection<?>> countedAtConsumer) {
      this.toReplace = toReplace;
      this.countedAtProducer = countedAtProducer;
      this.countedAtConsumer = countedAtConsumer;
    }

    @Override
    public PTransformReplacement<PCollection<Object>, PCollectionTuple> getReplacementTransform(
        AppliedPTransform<PCollection<Object>, PCollectionTuple, ParDo.MultiOutput<Object, Object>>
            application) {
      ParDo.MultiOutput<Object, Object> original = application.getTransform();
      // The re-applied ParDo must not match again (Beam checks that nothing does after a
      // replacement).
      toReplace.remove(original);
      PCollection<Object> input = PTransformReplacements.getSingletonMainInput(application);
      boolean countInput = !countedAtProducer.contains(input) && countedAtConsumer.add(input);
      Map<TupleTag<?>, PCollection<?>> outputs = application.getOutputs();
      return PTransformReplacement.of(
          input, new Counted(original, countInput ? input.getName() : null, outputs));
    }

    @Override
    public Map<PCollection<?>, ReplacementOutput> mapOutputs(
        Map<TupleTag<?>, PCollection<?>> outputs, PCollectionTuple newOutput) {
      return ReplacementOutputs.tagged(outputs, newOutput);
    }
  }

  /** The original {@code ParDo}, with a counting step on its input (optional) and each output. */
  @SuppressWarnings({"rawtypes", "unchecked"})
  private static final class Counted extends PTransform<PCollection<Object>, PCollectionTuple> {
    private final transient ParDo.MultiOutput<Object, Object> original;
    private final String inputName;
    private final transient Map<TupleTag<?>, PCollection<?>> outputs;

    Counted(
        ParDo.MultiOutput original, String inputName, Map<TupleTag<?>, PCollection<?>> outputs) {
      this.original = original;
      this.inputName = inputName;
      this.outputs = outputs;
    }

    @Override
    public PCollectionTuple expand(PCollection<Object> input) {
      PCollection<Object> main = input;
      if (inputName != null) {
        main =
            input
                .apply("CountInput", ParDo.of(new CountFn<Object>(inputName)))
                .setCoder(input.getCoder());
      }
      PCollectionTuple produced = main.apply("Counted", original);
      PCollectionTuple counted = PCollectionTuple.empty(input.getPipeline());
      int i = 0;
      for (Map.Entry<TupleTag<?>, PCollection<?>> output : outputs.entrySet()) {
        TupleTag<Object> tag = (TupleTag<Object>) output.getKey();
        PCollection<Object> before = (PCollection<Object>) output.getValue();
        PCollection<Object> inner = produced.get(tag);
        inner.setCoder(before.getCoder());
        PCollection<Object> after =
            inner
                .apply("Count" + i++, ParDo.of(new CountFn<Object>(before.getName())))
                .setCoder(before.getCoder());
        counted = counted.and(tag, after);
      }
      return counted;
    }
  }

  /** Counts elements into the counter of one {@code PCollection}, and passes them on. */
  static final class CountFn<T> extends DoFn<T, T> {
    private final String pcollection;
    private transient Counter counter;
    private transient long elements;

    CountFn(String pcollection) {
      this.pcollection = pcollection;
    }

    @StartBundle
    public void startBundle() {
      elements = 0;
    }

    @ProcessElement
    public void processElement(@Element T element, OutputReceiver<T> out) {
      elements++;
      out.output(element);
    }

    @FinishBundle
    public void finishBundle() {
      if (counter == null) {
        counter = Metrics.counter(NAMESPACE, pcollection);
      }
      counter.inc(elements);
    }
  }
}
