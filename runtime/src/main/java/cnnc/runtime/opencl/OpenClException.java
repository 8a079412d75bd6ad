package cnnc.runtime.opencl;

/**
 * An OpenCL failure: no platform (the message says what to install), a device that does not
 * exist, a kernel build that failed (the message carries the whole build log), or an error code
 * from the driver.
 */
public class OpenClException extends RuntimeException {

    private final boolean userFixable;

    public OpenClException(String message, boolean userFixable) {
        super(message);
        this.userFixable = userFixable;
    }

    public OpenClException(String message, boolean userFixable, Throwable cause) {
        super(message, cause);
        this.userFixable = userFixable;
    }

    /**
     * Whether the user can fix it (install a driver, pick another device): a command line reports
     * it as a user error; otherwise (a kernel that does not build) it is a bug in cnnc.
     */
    public boolean userFixable() {
        return userFixable;
    }
}
