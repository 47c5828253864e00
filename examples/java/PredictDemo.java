import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.pyj4.ndarray.NDArray;
import org.pyj4.nn.Model;

/**
 * A Java program with no Python in it: loads a model file that Python saved (examples/quickstart.py
 * writes one) and prints its predictions for samples read from a file.
 *
 * <pre>
 * java -cp "$(python -m pyj4 classpath):build" PredictDemo MODEL.pyj4 INPUT
 * </pre>
 *
 * INPUT is either a CSV file (one sample per line, numbers separated by commas or spaces; blank
 * lines and lines starting with '#' are skipped, except "# labels: 0 1 2 ...", whose expected classes
 * are then compared with the predictions) or a NumPy .npy file (np.save of a float32,
 * float64, int32, int64 or uint8 array, little-endian, C order; the first axis counts samples).
 * It uses only the API that outside code may rely on (API.md): Model.load, predict,
 * NDArray.create, shape, toFloatArray.
 */
public final class PredictDemo {
    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3 || (args.length == 3 && !args[2].startsWith("--min-match="))) {
            System.err.println("usage: PredictDemo MODEL.pyj4 INPUT.csv|INPUT.npy [--min-match=FRACTION]");
            System.exit(2);
        }
        // With labels in the input: exit with status 1 when fewer predictions than this fraction match.
        double minMatch = args.length == 3 ? Double.parseDouble(args[2].substring("--min-match=".length())) : 0;
        Path modelFile = Paths.get(args[0]), inputFile = Paths.get(args[1]);
        Samples samples = inputFile.toString().endsWith(".npy") ? readNpy(inputFile) : readCsv(inputFile);

        try (Model model = Model.load(modelFile);
             NDArray input = NDArray.create(samples.values, samples.shape);
             NDArray output = model.predict(input)) {
            long[] shape = output.shape();
            float[] values = output.toFloatArray();
            int rows = (int) shape[0], width = (int) (values.length / Math.max(1, rows));
            System.out.printf(Locale.ROOT, "model %s: %d samples in, output shape %s%n", modelFile, rows, format(shape));
            int matches = 0;
            for (int r = 0; r < rows; r++) {
                if (width > 1) {
                    int best = 0;
                    for (int k = 1; k < width; k++) if (values[r * width + k] > values[r * width + best]) best = k;
                    System.out.printf(Locale.ROOT, "sample %d: class %d (score %.4f)%n", r, best, values[r * width + best]);
                    if (samples.labels != null && r < samples.labels.length && samples.labels[r] == best) matches++;
                } else {
                    System.out.printf(Locale.ROOT, "sample %d: %.6f%n", r, values[r]);
                }
            }
            if (samples.labels != null) {
                System.out.printf(Locale.ROOT, "%d of %d predictions match the labels in %s%n", matches, rows, inputFile);
                if (matches < minMatch * rows) {
                    System.err.printf(Locale.ROOT, "fewer than %.0f%% of the predictions match%n", 100 * minMatch);
                    System.exit(1);
                }
            }
        }
    }

    /** Row-major values, the shape they have, and the expected classes when the file gives them (else null). */
    private record Samples(float[] values, long[] shape, int[] labels) {}

    private static Samples readCsv(Path file) throws IOException {
        List<float[]> rows = new ArrayList<>();
        int[] labels = null;
        int lineNo = 0;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            lineNo++;
            String t = line.trim();
            if (t.startsWith("# labels:")) {
                String[] parts = t.substring("# labels:".length()).trim().split("\\s+");
                labels = new int[parts.length];
                for (int i = 0; i < parts.length; i++) labels[i] = Integer.parseInt(parts[i]);
            }
            if (t.isEmpty() || t.startsWith("#")) continue;
            String[] cells = t.split("[,\\s]+");
            float[] row = new float[cells.length];
            for (int i = 0; i < cells.length; i++) {
                try {
                    row[i] = Float.parseFloat(cells[i]);
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException(file + " line " + lineNo + ": not a number: '" + cells[i] + "'");
                }
            }
            if (!rows.isEmpty() && row.length != rows.get(0).length) {
                throw new IllegalArgumentException(file + " line " + lineNo + ": expected " + rows.get(0).length + " values, found " + row.length);
            }
            rows.add(row);
        }
        if (rows.isEmpty()) throw new IllegalArgumentException(file + ": no samples");
        int width = rows.get(0).length;
        float[] all = new float[rows.size() * width];
        for (int r = 0; r < rows.size(); r++) System.arraycopy(rows.get(r), 0, all, r * width, width);
        return new Samples(all, new long[] {rows.size(), width}, labels);
    }

    private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([<|>]?)([a-z]\\d+)'");
    private static final Pattern ORDER = Pattern.compile("'fortran_order':\\s*(True|False)");
    private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

    /** The .npy format, version 1-3: magic, header length, a Python dict literal, then the data. */
    private static Samples readNpy(Path file) throws IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = new byte[6];
        b.get(magic);
        if (!new String(magic, StandardCharsets.ISO_8859_1).equals("\u0093NUMPY")) throw new IllegalArgumentException(file + ": not a .npy file");
        int major = b.get();
        b.get(); // minor version
        int headerLength = major == 1 ? Short.toUnsignedInt(b.getShort()) : b.getInt();
        byte[] h = new byte[headerLength];
        b.get(h);
        String header = new String(h, StandardCharsets.ISO_8859_1);
        Matcher d = DESCR.matcher(header), o = ORDER.matcher(header), s = SHAPE.matcher(header);
        if (!d.find() || !o.find() || !s.find()) throw new IllegalArgumentException(file + ": unreadable .npy header: " + header.trim());
        if (o.group(1).equals("True")) throw new IllegalArgumentException(file + ": Fortran-ordered arrays are not supported; save a C-ordered copy");
        if (d.group(1).equals(">")) throw new IllegalArgumentException(file + ": big-endian data is not supported");
        List<Long> dims = new ArrayList<>();
        for (String part : s.group(1).split(",")) if (!part.isBlank()) dims.add(Long.parseLong(part.trim()));
        long[] shape = dims.stream().mapToLong(Long::longValue).toArray();
        long n = 1;
        for (long x : shape) n *= x;
        float[] values = new float[Math.toIntExact(n)];
        for (int i = 0; i < values.length; i++) {
            switch (d.group(2)) {
                case "f4": values[i] = b.getFloat(); break;
                case "f8": values[i] = (float) b.getDouble(); break;
                case "i4": values[i] = b.getInt(); break;
                case "i8": values[i] = b.getLong(); break;
                case "u1": values[i] = b.get() & 0xFF; break;
                default: throw new IllegalArgumentException(file + ": unsupported dtype " + d.group(2) + " (use float32, float64, int32, int64 or uint8)");
            }
        }
        return new Samples(values, shape.length == 1 ? new long[] {shape[0], 1} : shape, null);
    }

    private static String format(long[] shape) {
        StringBuilder s = new StringBuilder("(");
        for (int i = 0; i < shape.length; i++) s.append(i > 0 ? ", " : "").append(shape[i]);
        return s.append(")").toString();
    }
}
