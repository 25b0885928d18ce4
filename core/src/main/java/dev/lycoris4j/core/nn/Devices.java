package dev.lycoris4j.core.nn;

import org.bytedeco.pytorch.Device;
import org.bytedeco.pytorch.global.torch;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Device names as users and configs write them ("cpu", "cuda", "cuda:1", "meta"), so that no code
 * hard-codes the CPU. Returns a fresh {@link Device} each call: a native object cached in a static
 * field could be freed by whichever {@code PointerScope} happened to be open when it was created.
 */
public final class Devices {
    private static final Pattern NAME = Pattern.compile("(cpu|cuda|meta)(?::(\\d{1,3}))?");

    private Devices() {}

    /**
     * The canonical spelling of a device name: lower case, and "cuda" without an index stays "cuda"
     * (the current CUDA device), as in PyTorch. Throws with the offending name when it is not one we run on.
     */
    public static String canonical(String name) {
        Matcher m = NAME.matcher(name.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("unknown device '" + name + "': use cpu, cuda, cuda:<index> or meta");
        }
        String type = m.group(1);
        String index = m.group(2);
        if (index != null && !type.equals("cuda")) {
            throw new IllegalArgumentException("device '" + name + "': only cuda takes an index");
        }
        return index == null ? type : type + ":" + Integer.parseInt(index);
    }

    /** Parses a device name (see {@link #canonical}); CUDA names parse even where CUDA is absent. */
    public static Device parse(String name) {
        return new Device(canonical(name));
    }

    public static Device cpu() {
        return new Device("cpu");
    }

    /** The meta device: tensors with shape and dtype but no storage. */
    public static Device meta() {
        return new Device("meta");
    }

    public static boolean cudaAvailable() {
        return torch.cuda_is_available();
    }

    public static int cudaDeviceCount() {
        return torch.cuda_device_count();
    }

    /** "cuda" where libtorch sees a GPU, else "cpu": the default for runs that don't name one. */
    public static String defaultName() {
        return cudaAvailable() ? "cuda" : "cpu";
    }

    /** The canonical name of a native device ("cpu", "cuda:0", "meta"). */
    public static String name(Device device) {
        return device.str().getString();
    }
}
