// EPUBCheck over several EPUBs in one JVM (its command line takes one file, and
// each JVM start costs seconds). Usage, with Java's single-file launcher:
//   java -cp epubcheck.jar EpubCheckBatch.java OUT_DIR a.epub b.epub ...
// writes OUT_DIR/<n>.json, EPUBCheck's own JSON report of the n-th file (from 0).
import com.adobe.epubcheck.tool.EpubChecker;
import java.io.File;

public class EpubCheckBatch {
    public static void main(String[] args) {
        File out = new File(args[0]);
        for (int i = 1; i < args.length; i++) {
            String report = new File(out, (i - 1) + ".json").getPath();
            new EpubChecker().run(new String[] {args[i], "--json", report, "--quiet"});
        }
    }
}
